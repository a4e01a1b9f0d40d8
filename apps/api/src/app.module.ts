import { Module, RequestMethod, ValidationPipe, type DynamicModule, type MiddlewareConsumer, type NestModule } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { APP_FILTER, APP_GUARD, APP_INTERCEPTOR, APP_PIPE } from '@nestjs/core';
import { ApolloDriver, type ApolloDriverConfig } from '@nestjs/apollo';
import { GraphQLModule } from '@nestjs/graphql';
import { PassportModule } from '@nestjs/passport';
import { TerminusModule } from '@nestjs/terminus';
import { ApolloServerPluginCacheControlDisabled, ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { ApolloServerPluginLandingPageLocalDefault } from '@apollo/server/plugin/landingPage/default';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ClsModule } from 'nestjs-cls';
import { EventEmitterModule } from '@nestjs/event-emitter';
import { LoggerModule } from 'nestjs-pino';
import { appConfigModule, type AppConfig } from '@app/common';
import { AuditTrailModule } from '@app/audit-trail';
import { DatabaseModule, transactionalPlugin } from '@app/database';
import { DemoModule } from '@app/demo';
import { EvidenceModule, EvidenceService } from '@app/evidence';
import {
  CountermeasureLinksService,
  CountermeasuresModule,
  CountermeasuresService,
  CountermeasureTargetsService,
} from '@app/countermeasures';
import { IdentityModule, SessionsService, UsersService } from '@app/identity';
import { AuditEngagementsService, AuditFindingsService, AuditsModule, RiskAcceptancesService } from '@app/audits';
import { PromotionGateModule, PromotionGateService, WebhookDispatcher } from '@app/promotion-gate';
import { GateChangeNotifier, NotificationsModule } from '@app/notifications';
import { NotificationsResolver } from './notifications/notifications.resolver';
import { JobsModule } from './jobs/jobs.module';
import { GateResolver } from './promotion-gate/gate.resolver';
import { GateWebhookResolver } from './promotion-gate/gate-webhook.resolver';
import { GateSubscriptionsResolver } from './promotion-gate/gate-subscriptions.resolver';
import { DashboardModule } from '@app/dashboard';
import { DutiesModule } from '@app/duties';
import { HotlineResolver } from './duties/hotline.resolver';
import { BreachFilingFieldsResolver, BreachNotificationsResolver } from './duties/breach.resolver';
import { FilingFilesController } from './duties/filing-files.controller';
import { ProgressStatementsResolver } from './duties/progress.resolver';
import { ProgressPageController } from './duties/progress-page.controller';
import { DashboardResolver } from './dashboard/dashboard.resolver';
import { DashboardSubscriptionsResolver } from './dashboard/dashboard-subscriptions.resolver';
import { ConnectionAuthenticator } from './subscriptions/connection-auth';
import { graphqlWsConfig, isConnectionContext, subscriptionContext } from './subscriptions/graphql-ws.config';
import { pubSubProvider } from './subscriptions/pubsub.provider';
import { WebSocketLimits } from './subscriptions/ws-limits';
import { GatesController } from './promotion-gate/gates.controller';
import { ReportsModule } from '@app/reports';
import { BundlesModule } from '@app/bundles';
import { BundlesController } from './bundles/bundles.controller';
import { BundlesResolver } from './bundles/bundles.resolver';
import { SigningKeysModule } from '@app/signing-keys';
import { KeysController } from './proofs/keys.controller';
import { SigningKeysResolver } from './proofs/signing-keys.resolver';
import { ReportsController } from './reports/reports.controller';
import { ApiKeysResolver } from './identity/api-keys.resolver';
import { ApiKeyStrategy } from './auth/api-key.strategy';
import { IncidentsService } from '@app/incidents';
import { AuditTrailResolver } from './audit-trail/audit-trail.resolver';
import { EngagementScopeInterceptor } from './audits/engagement-scope/engagement-scope.interceptor';
import { AuditorAccessResolver, UserAccessLimitResolver } from './audits/engagement-scope/auditor-access.resolver';
import { TrailCheckpointCosignatureResolver, TrailCheckpointsResolver } from './audit-trail/trail-checkpoints.resolver';
import { trailCheckpointsModule } from './audit-trail/trail-checkpoints.wiring';
import { CheckpointCopiesApiModule } from './audit-trail/checkpoint-copies.api-module';
import { AuditEngagementsResolver } from './audits/audit-engagements.resolver';
import { AuditFindingsResolver } from './audits/audit-findings.resolver';
import { RiskAcceptancesResolver } from './audits/risk-acceptances.resolver';
import {
  CountermeasureSignOffResolver,
  EvidenceResolver,
  RequirementEvidenceResolver,
  TargetEvidenceResolver,
} from './evidence/evidence.resolver';
import { CountermeasuresResolver } from './countermeasures/countermeasures.resolver';
import { CountermeasureTargetResolver, CountermeasureTargetsResolver } from './countermeasures/countermeasure-targets.resolver';
import { CountermeasureLinksResolver } from './countermeasures/countermeasure-links.resolver';
import { IncidentsResolver, TaskForceMemberResolver } from './incidents/incidents.resolver';
import { AccessGuard } from './auth/access.guard';
import { createLoaders } from './common/loaders';
import { JwtStrategy } from './auth/jwt.strategy';
import { LocalStrategy } from './auth/local.strategy';
import { AllErrorsFilter } from './graphql/errors.filter';
import { queryLimitsRule } from './graphql/query-limits';
import { callerKeyFrom, queryCostPlugin, stringifyWithinCap } from './graphql/query-cost';
import { jitExecutionPlugin } from './graphql/jit-execution';
import { readPropertiesInPlace } from './graphql/properties-in-place';
import { QueryShapeMiddleware, queryShapeLimits } from './graphql/query-shape.middleware';
import { WorkLimitsModule } from './common/work-limits.module';
import { CostBudget } from './common/work-limits';
import { JwtService } from '@nestjs/jwt';
import { HealthController } from './health/health.controller';
import { DrainState } from './lifecycle/drain-state';
import { VerifierPageController } from './proofs/verifier-page.controller';
import { EvidenceFilesController } from './evidence/evidence-files.controller';
import { AuthResolver } from './identity/auth.resolver';
import { SecondFactorResolver } from './identity/second-factor.resolver';
import { PasskeysResolver } from './identity/passkeys.resolver';
import { UsersResolver } from './identity/users.resolver';
import { SsoController } from './identity/sso.controller';
import { SsoResolver } from './identity/sso.resolver';
import { StartupService } from './startup/startup.service';
import { logDestination, logFormatFor } from './logging/log-output';

const REQUEST_ID = /^[A-Za-z0-9._-]{1,64}$/;

/**
 * One id per request, shared by the logs (pino) and the audit trail (CLS):
 * the caller's X-Request-Id when it is sane, otherwise a new UUID. Whichever
 * middleware runs first makes it; both read it from `req.id`.
 */
function requestIdOf(req: IncomingMessage & { id?: unknown }, res?: ServerResponse): string {
  if (typeof req.id !== 'string') {
    const given = req.headers['x-request-id'];
    req.id = typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
  }
  if (res && !res.headersSent) res.setHeader('x-request-id', req.id as string);
  return req.id as string;
}

@Module({})
export class AppModule implements NestModule {
  /** The GraphQL document's shape is checked before Apollo parses and validates it (query-shape.middleware.ts). */
  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(QueryShapeMiddleware).forRoutes({ path: 'graphql', method: RequestMethod.ALL });
  }

  /**
   * Built at call time, so that the configuration is read from the environment
   * of the moment (each test builds its own app).
   */
  static forRoot(): DynamicModule {
    return {
      module: AppModule,
      imports: [
        appConfigModule(),
        LoggerModule.forRootAsync({
          inject: [ConfigService],
          useFactory: (config: ConfigService<AppConfig, true>) => {
            const options = {
              level: config.get('LOG_LEVEL', { infer: true }),
              genReqId: (req: IncomingMessage, res: ServerResponse) => requestIdOf(req, res),
              // The single sign-on's hand-off code goes back in a redirect's Location, its browser binding in Set-Cookie.
              redact: [
                'req.headers.authorization',
                'req.headers.cookie',
                'req.body.password',
                'res.headers.location',
                'res.headers["set-cookie"]',
              ],
            };
            // Readable lines on a terminal, JSON lines otherwise (logging/log-output.ts).
            const destination = logDestination(logFormatFor(process.stdout));
            return { pinoHttp: destination ? ([options, destination] as const) : options };
          },
        }),
        ClsModule.forRoot({
          global: true,
          middleware: { mount: true, generateId: true, idGenerator: (req: IncomingMessage) => requestIdOf(req) },
          plugins: [transactionalPlugin()],
        }),
        EventEmitterModule.forRoot(),
        DatabaseModule,
        AuditTrailModule,
        // Signed checkpoints of the trail, their proofs and co-signatures (global).
        trailCheckpointsModule(),
        IdentityModule,
        CountermeasuresModule,
        EvidenceModule,
        AuditsModule,
        PromotionGateModule,
        NotificationsModule,
        ReportsModule,
        BundlesModule,
        DashboardModule,
        DutiesModule,
        DemoModule,
        // Copies every trail checkpoint outside the database (the worker runs in the API server only).
        CheckpointCopiesApiModule,
        // The background jobs on pg-boss (the API server only): once per period across instances, retried, seen by admins.
        JobsModule,
        SigningKeysModule,
        PassportModule,
        WorkLimitsModule,
        TerminusModule.forRoot({ logger: false }),
        GraphQLModule.forRootAsync<ApolloDriverConfig>({
          driver: ApolloDriver,
          imports: [IdentityModule, CountermeasuresModule, EvidenceModule, AuditsModule, PromotionGateModule, WorkLimitsModule],
          inject: [
            ConfigService,
            JwtService,
            CostBudget,
            UsersService,
            IncidentsService,
            CountermeasuresService,
            CountermeasureTargetsService,
            CountermeasureLinksService,
            EvidenceService,
            AuditEngagementsService,
            AuditFindingsService,
            RiskAcceptancesService,
            PromotionGateService,
            SessionsService,
          ],
          useFactory: (
            config: ConfigService<AppConfig, true>,
            jwt: JwtService,
            budget: CostBudget,
            users: UsersService,
            incidents: IncidentsService,
            countermeasures: CountermeasuresService,
            targets: CountermeasureTargetsService,
            links: CountermeasureLinksService,
            evidence: EvidenceService,
            auditEngagements: AuditEngagementsService,
            auditFindings: AuditFindingsService,
            riskAcceptances: RiskAcceptancesService,
            gates: PromotionGateService,
            sessions: SessionsService,
          ): ApolloDriverConfig => {
            const production = config.get('NODE_ENV', { infer: true }) === 'production';
            const shape = queryShapeLimits(config);
            const maxTokens = shape.maxTokens;
            const verifySubject = (token: string): string | null => {
              try {
                const sub: unknown = jwt.verify<{ sub?: unknown }>(token).sub;
                return typeof sub === 'string' ? sub : null;
              } catch {
                return null;
              }
            };
            return {
              path: '/graphql',
              autoSchemaFile: true,
              sortSchema: true,
              playground: false,
              introspection: !production,
              csrfPrevention: true,
              // The document is capped before parsing (the body's size in bootstrap.ts, tokens here); its shape is
              // measured, each fragment once, before GraphQL's own rules run (QueryShapeMiddleware,
              // query-limits.ts); then its cost is computed before execution (query-cost.ts).
              parseOptions: { maxTokens },
              // Serializes each answer once, refusing one over the size cap (query-cost.ts).
              stringifyResult: stringifyWithinCap(config.get('GRAPHQL_MAX_RESPONSE_BYTES', { infer: true })),
              // Plain @Field properties read in place, without a resolver call each (properties-in-place.ts).
              transformSchema: readPropertiesInPlace,
              // No "Did you mean …" in production: suggestions reveal the schema that introspection hides.
              hideSchemaDetailsFromClientErrors: production,
              includeStacktraceInErrorResponses: !production,
              // @apollo/server ships CJS and ESM typings; @nestjs/apollo names the other copy's plugin type.
              plugins: [
                (production ? ApolloServerPluginLandingPageDisabled() : ApolloServerPluginLandingPageLocalDefault()) as NonNullable<
                  ApolloDriverConfig['plugins']
                >[number],
                // No HTTP caching of answers (they are per user and change with every move): without the
                // cache-control plugin, Apollo does not wrap every field's resolver to compute cache hints.
                ApolloServerPluginCacheControlDisabled() as NonNullable<ApolloDriverConfig['plugins']>[number],
                // Queries without errors are executed by graphql-jit (graphql/jit-execution.ts).
                jitExecutionPlugin() as NonNullable<ApolloDriverConfig['plugins']>[number],
                queryCostPlugin(
                  {
                    maxCost: config.get('GRAPHQL_MAX_COST', { infer: true }),
                    maxFields: shape.maxFields,
                  },
                  callerKeyFrom(verifySubject),
                  budget,
                ) as NonNullable<ApolloDriverConfig['plugins']>[number],
              ],
              context: (input: { req?: unknown; res?: unknown }) => {
                const makeLoaders = () =>
                  createLoaders({
                    users,
                    incidents,
                    countermeasures,
                    targets,
                    links,
                    evidence,
                    audits: { engagements: auditEngagements, findings: auditFindings, risks: riskAcceptances },
                    gates,
                  });
                // A subscription over WebSocket gets its context from the connection (subscriptions/graphql-ws.config.ts).
                return isConnectionContext(input)
                  ? subscriptionContext(input, makeLoaders)
                  : { req: input.req, res: input.res, loaders: makeLoaders() };
              },
              subscriptions: {
                'graphql-ws': graphqlWsConfig({
                  authenticator: new ConnectionAuthenticator(),
                  onSessionsRevoked: (listener) => sessions.onRevoked(listener),
                  production,
                  maxTokens,
                  shapeRule: queryLimitsRule(shape),
                  validationRules: [],
                }),
              },
              formatError: (formatted) => {
                const code = formatted.extensions?.code ?? 'INTERNAL_SERVER_ERROR';
                if (production && code === 'INTERNAL_SERVER_ERROR') {
                  return { message: 'Internal server error', extensions: { code } };
                }
                return { ...formatted, extensions: { ...formatted.extensions, code } };
              },
            };
          },
        }),
      ],
      controllers: [
        HealthController,
        EvidenceFilesController,
        GatesController,
        ReportsController,
        VerifierPageController,
        KeysController,
        BundlesController,
        FilingFilesController,
        // Single sign-on's browser routes (start, callback).
        SsoController,
        // The public progress page (promise 9): no sign-in, no cookie, cacheable.
        ProgressPageController,
      ],
      providers: [
        { provide: APP_GUARD, useClass: AccessGuard },
        // Auditors limited to their engagements (issue 16): after the guard, before every operation and route.
        { provide: APP_INTERCEPTOR, useClass: EngagementScopeInterceptor },
        { provide: APP_FILTER, useClass: AllErrorsFilter },
        {
          provide: APP_PIPE,
          useValue: new ValidationPipe({ whitelist: true, forbidNonWhitelisted: true, transform: true }),
        },
        JwtStrategy,
        ApiKeyStrategy,
        LocalStrategy,
        AuthResolver,
        SecondFactorResolver,
        PasskeysResolver,
        UsersResolver,
        SsoResolver,
        ApiKeysResolver,
        SigningKeysResolver,
        AuditTrailResolver,
        AuditorAccessResolver,
        UserAccessLimitResolver,
        TrailCheckpointsResolver,
        TrailCheckpointCosignatureResolver,
        BundlesResolver,
        IncidentsResolver,
        TaskForceMemberResolver,
        CountermeasuresResolver,
        CountermeasureTargetsResolver,
        CountermeasureTargetResolver,
        CountermeasureLinksResolver,
        EvidenceResolver,
        RequirementEvidenceResolver,
        AuditEngagementsResolver,
        AuditFindingsResolver,
        RiskAcceptancesResolver,
        CountermeasureSignOffResolver,
        TargetEvidenceResolver,
        GateResolver,
        GateWebhookResolver,
        // Sends the gate webhooks: in the API server only (the CLI shares PromotionGateModule and sends nothing).
        WebhookDispatcher,
        pubSubProvider,
        WebSocketLimits,
        DrainState,
        GateSubscriptionsResolver,
        DashboardResolver,
        BreachNotificationsResolver,
        BreachFilingFieldsResolver,
        HotlineResolver,
        ProgressStatementsResolver,
        DashboardSubscriptionsResolver,
        StartupService,
        NotificationsResolver,
        // Listens to gate changes and runs on the clock: in the API server only (the CLI runs reminders on demand).
        GateChangeNotifier,
      ],
    };
  }
}
