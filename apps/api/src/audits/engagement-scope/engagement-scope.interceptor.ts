import { Inject, Injectable, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { GqlExecutionContext } from '@nestjs/graphql';
import type { GraphQLResolveInfo } from 'graphql';
import { map, type Observable } from 'rxjs';
import {
  assertIncidentInScope,
  assertScopeOpen,
  AuditEngagementsService,
  AuditError,
  AuditErrorCode,
  AuditFindingsService,
  AuditorScopeService,
  soleIncidentOf,
  type AuditorScope,
} from '@app/audits';
import { BundlesService } from '@app/bundles';
import { Actor, CommonError, CommonErrorCode, isUuid } from '@app/common';
import { CountermeasuresService } from '@app/countermeasures';
import { BreachFilingsService } from '@app/duties';
import { EvidenceService } from '@app/evidence';
import { isApiKeyPrincipal, Permission, type UserEntity } from '@app/identity';
import { PromotionGateService } from '@app/promotion-gate';
import { ACCESS_RULE, DURING_SIGN_IN, requestOf, type AccessRule } from '../../auth/access.decorators';
import { ALWAYS_OPEN, EXCLUDED_FROM_LISTS, SCOPE_RULES, type Args, type RecordKind, type ScopeCheck } from './engagement-scope.rules';

const ROOTS = new Set(['Query', 'Mutation', 'Subscription']);
const SELF_PERMISSIONS: ReadonlySet<string> = new Set([Permission.SELF_READ, Permission.SELF_SECURITY]);

/**
 * The engagement limit of auditors (issue 16), in one place for every way in: each GraphQL root field (query,
 * mutation, subscription) and each HTTP route, after the global AccessGuard has authenticated the caller and
 * checked the role's permission, and before the operation runs. For a limited auditor, the operation's rule
 * (engagement-scope.rules.ts) finds the incident it works in and refuses it outside the auditor's open
 * engagements (OUTSIDE_ENGAGEMENT) or after their end (ENGAGEMENT_ENDED); an operation without a rule is refused.
 * The scope is read once per request (one statement), and only for users holding AUDITOR; nested fields are not
 * checked again (a record's fields stay within its incident).
 */
@Injectable()
export class EngagementScopeInterceptor implements NestInterceptor {
  private readonly scopes = new WeakMap<object, Promise<AuditorScope | null>>();

  constructor(
    @Inject(Reflector) private readonly reflector: Reflector,
    @Inject(AuditorScopeService) private readonly auditorScopes: AuditorScopeService,
    @Inject(CountermeasuresService) private readonly countermeasures: CountermeasuresService,
    @Inject(EvidenceService) private readonly evidence: EvidenceService,
    @Inject(AuditEngagementsService) private readonly engagements: AuditEngagementsService,
    @Inject(AuditFindingsService) private readonly findings: AuditFindingsService,
    @Inject(BundlesService) private readonly bundles: BundlesService,
    @Inject(BreachFilingsService) private readonly filings: BreachFilingsService,
    @Inject(PromotionGateService) private readonly gates: PromotionGateService,
  ) {}

  async intercept(context: ExecutionContext, next: CallHandler): Promise<Observable<unknown>> {
    const operation = this.operationOf(context);
    if (!operation) return next.handle();
    const req = requestOf(context);
    const user = req.user;
    if (!user || isApiKeyPrincipal(user)) return next.handle();
    const scope = await this.scopeOf(req, user);
    if (!scope) return next.handle();
    if (this.alwaysOpen(context, operation.key)) return next.handle();
    const rule = SCOPE_RULES[operation.key];
    if (!rule) {
      assertScopeOpen(scope);
      throw new AuditError(
        AuditErrorCode.OUTSIDE_ENGAGEMENT,
        'This is not open to an auditor whose access is limited to their engagements',
        {
          operation: operation.key,
        },
      );
    }
    await rule(operation.args, this.checkFor(scope, user));
    const incidentOfNode = EXCLUDED_FROM_LISTS[operation.key];
    return incidentOfNode ? next.handle().pipe(map((answer) => keepWithin(answer, scope, incidentOfNode))) : next.handle();
  }

  /**
   * Oneself, at any time (even after the engagements end): reading oneself and one's own security (sessions,
   * signing out, second factors: @Allow(SELF_READ | SELF_SECURITY)), what is open during sign-in, ALWAYS_OPEN.
   */
  private alwaysOpen(context: ExecutionContext, key: string): boolean {
    const targets = [context.getHandler(), context.getClass()];
    const rule = this.reflector.getAllAndOverride<AccessRule | undefined>(ACCESS_RULE, targets);
    if (rule?.kind === 'permission' && SELF_PERMISSIONS.has(rule.permission)) return true;
    return ALWAYS_OPEN.has(key) || this.reflector.getAllAndOverride<boolean>(DURING_SIGN_IN, targets) === true;
  }

  private operationOf(context: ExecutionContext): { key: string; args: Args } | null {
    if (context.getType<string>() === 'graphql') {
      const gql = GqlExecutionContext.create(context);
      const info = gql.getInfo<GraphQLResolveInfo>();
      if (!ROOTS.has(info.parentType.name)) return null; // a nested field: its record's incident was checked at the root
      return { key: `${info.parentType.name}.${info.fieldName}`, args: gql.getArgs<Args>() };
    }
    if (context.getType() !== 'http') return null;
    const req = context.switchToHttp().getRequest<{ params?: Args; query?: Args }>();
    return { key: `http:${context.getClass().name}.${context.getHandler().name}`, args: { ...(req.query ?? {}), ...(req.params ?? {}) } };
  }

  /** Once per request, shared by the root fields of one GraphQL document. */
  private scopeOf(req: object, user: UserEntity): Promise<AuditorScope | null> {
    let scope = this.scopes.get(req);
    if (!scope) {
      scope = this.auditorScopes.scopeOf(user);
      this.scopes.set(req, scope);
    }
    return scope;
  }

  private checkFor(scope: AuditorScope, user: UserEntity): ScopeCheck {
    const incident = (id: unknown): void => {
      if (id == null || id === '') {
        assertScopeOpen(scope);
        throw new AuditError(AuditErrorCode.INCIDENT_NOT_NAMED, 'Name the incident (incidentId)', {
          field: 'incidentId',
          incidentIds: [...scope.open].sort(),
        });
      }
      assertIncidentInScope(scope, String(id));
    };
    return {
      incident,
      record: async (kind, id) => {
        assertScopeOpen(scope);
        const text = String(id ?? '');
        // Checked before the operation's own validation: what cannot name a record is refused here as input.
        if (kind !== 'gate' && !isUuid(text)) {
          throw new CommonError(CommonErrorCode.INVALID_INPUT, `Not the id of a ${kind}`, { field: 'id' });
        }
        incident(await this.incidentOf(kind, text, user));
      },
      narrow: (holder, field = 'incidentId') => {
        if (holder[field] != null) return incident(holder[field]);
        holder[field] = soleIncidentOf(scope);
      },
      open: () => assertScopeOpen(scope),
    };
  }

  /** The incident of a record, through its owner's read (an unknown one: the owner's NOT_FOUND, as the operation gives). */
  private async incidentOf(kind: RecordKind, id: string, user: UserEntity): Promise<string> {
    switch (kind) {
      case 'countermeasure':
        return (await this.countermeasures.getById(id)).incidentId;
      case 'evidence':
        return (await this.evidence.getById(id)).incidentId;
      case 'engagement':
        return (await this.engagements.getById(id)).incidentId;
      case 'finding':
        return (await this.findings.getById(id)).incidentId;
      case 'bundle':
        return (await this.bundles.getById(id)).incidentId;
      case 'filing':
        return (await this.filings.getById(Actor.user(user), id)).incidentId;
      case 'gate':
        return (await this.gates.getByKey(id)).incidentId;
    }
  }
}

/** A connection (or list) with the items of other incidents left out; the count is of what is left on this page's terms. */
function keepWithin(answer: unknown, scope: AuditorScope, incidentOf: (node: Record<string, unknown>) => unknown): unknown {
  const inScope = (node: unknown): boolean => {
    const id = incidentOf((node ?? {}) as Record<string, unknown>);
    return id == null || scope.open.has(String(id));
  };
  if (Array.isArray(answer)) return answer.filter(inScope);
  if (!answer || typeof answer !== 'object' || !('edges' in answer)) return answer;
  const conn = answer as { edges: { node: unknown }[]; nodes: unknown[]; totalCount: number };
  const edges = conn.edges.filter((e) => inScope(e.node));
  const left = conn.edges.length - edges.length;
  return { ...conn, edges, nodes: edges.map((e) => e.node), totalCount: Math.max(0, conn.totalCount - left) };
}
