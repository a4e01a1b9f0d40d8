import { Controller, Get, HttpCode, Inject, Param, Post, Req, Res } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { Request, Response } from 'express';
import { PinoLogger } from 'nestjs-pino';
import { pipeline } from 'node:stream/promises';
import { Actor, type AppConfig } from '@app/common';
import { countermeasureKey, CountermeasuresService } from '@app/countermeasures';
import {
  EvidenceError,
  EvidenceErrorCode,
  EvidenceService,
  EvidenceStorage,
  openVerified,
  type EvidenceEntity,
  type VerifiedBlob,
} from '@app/evidence';
import { Permission, type UserEntity } from '@app/identity';
import { Allow, CurrentUser } from '../auth/access.decorators';
import { serverBusy, UploadSlots } from '../common/work-limits';
import { CSRF_HEADERS, hasCsrfHeader, headerName, receiveUpload, stopReading } from './multipart-upload';

/**
 * Evidence files over plain HTTP, next to GraphQL (README "Evidence files"):
 *
 *   POST /evidence/files          multipart/form-data: the fields, then exactly one part `file`
 *   GET  /evidence/:id/content    the bytes, checked against their SHA-256 first
 *
 * The upload streams: busboy parses the form, `EvidenceStorage.stage` hashes,
 * types (from the bytes) and writes while the bytes arrive, and stops at the size
 * limit. The declared Content-Type of the part and the file name's extension are
 * ignored for the decision: the recorded type is what the bytes are. (Refusing
 * a declared type that contradicts the bytes would refuse honest clients: browsers
 * send `application/octet-stream` or `application/vnd.ms-excel` for a CSV.)
 */
@Controller('evidence')
export class EvidenceFilesController {
  private readonly maxBytes: number;
  private readonly allowedTypes: readonly string[];

  constructor(
    @Inject(EvidenceService) private readonly evidence: EvidenceService,
    @Inject(EvidenceStorage) private readonly storage: EvidenceStorage,
    @Inject(ConfigService) config: ConfigService<AppConfig, true>,
    @Inject(PinoLogger) private readonly logger: PinoLogger,
    @Inject(CountermeasuresService) private readonly countermeasures: CountermeasuresService,
    @Inject(UploadSlots) private readonly uploads: UploadSlots,
  ) {
    this.maxBytes = config.get('EVIDENCE_MAX_BYTES', { infer: true });
    this.allowedTypes = config.get('EVIDENCE_ALLOWED_TYPES', { infer: true });
    this.logger.setContext(EvidenceFilesController.name);
  }

  @Post('files')
  @HttpCode(201)
  @Allow(Permission.EVIDENCE_SUBMIT)
  async upload(@Req() req: Request, @CurrentUser() user: UserEntity): Promise<EvidenceFileJson> {
    if (!hasCsrfHeader(req)) {
      stopReading(req, this.maxBytes);
      throw new EvidenceError(
        EvidenceErrorCode.UPLOAD_INVALID,
        `An upload must carry the header ${CSRF_HEADERS.map(headerName).join(' or ')} (any non-empty value), as GraphQL requests must: it keeps other sites from sending files in your name`,
        { requiredHeader: CSRF_HEADERS.map(headerName) },
      );
    }
    // Bounded like sign-in: so many uploads at once, and per member (UploadSlots); beyond, refused unread.
    const slot = this.uploads.take(user.id);
    if (!slot) {
      stopReading(req, this.maxBytes);
      throw serverBusy('uploads', 5);
    }
    const release = await slot;
    try {
      return await this.receive(req, user);
    } finally {
      release();
    }
  }

  private async receive(req: Request, user: UserEntity): Promise<EvidenceFileJson> {
    const upload = await receiveUpload(req, this.maxBytes, (file) =>
      this.storage.stage(file, { maxBytes: this.maxBytes, allowedTypes: this.allowedTypes }),
    );
    const { staged } = upload;
    const { created } = await staged.commit();
    try {
      const row = await this.evidence.submitFile(Actor.user(user), {
        ...upload.fields,
        file: { name: upload.fileName, mediaType: staged.mediaType, sizeBytes: staged.sizeBytes, sha256: staged.sha256 },
      });
      return evidenceFileJson(row);
    } catch (err) {
      // Bytes that no evidence refers to are not kept as if they were evidence;
      // bytes this request did not store (another upload did) are not ours to drop.
      if (created) await this.dropUnreferenced(staged.sha256);
      throw err;
    }
  }

  @Get(':id/content')
  @Allow(Permission.REMEDIATION_READ)
  async download(@Param('id') id: string, @Res() res: Response): Promise<void> {
    const evidence = await this.evidence.getById(id);
    if (evidence.kind !== 'FILE' || !evidence.mediaType) {
      throw new EvidenceError(
        EvidenceErrorCode.EVIDENCE_NOT_FOUND,
        `Evidence ${id} is a ${evidence.kind.toLowerCase()}: it has no file to download`,
        {
          id,
          kind: evidence.kind,
        },
      );
    }
    const fallback = asciiFallbackName(evidence.name, {
      countermeasureKey: countermeasureKey((await this.countermeasures.getById(evidence.countermeasureId)).seq),
      evidenceId: evidence.id,
      mediaType: evidence.mediaType,
    });
    let blob: VerifiedBlob;
    try {
      blob = await openVerified(this.storage, evidence.sha256);
    } catch (err) {
      if (err instanceof EvidenceError && err.code === EvidenceErrorCode.STORAGE_INTEGRITY) this.alert(evidence, err);
      throw err;
    }
    try {
      res.status(200);
      res.setHeader('Content-Type', contentTypeHeader(evidence.mediaType));
      res.setHeader('Content-Length', String(blob.sizeBytes));
      res.setHeader('Content-Disposition', contentDisposition(evidence.name, fallback));
      res.setHeader('Repr-Digest', `sha-256=:${Buffer.from(evidence.sha256, 'hex').toString('base64')}:`);
      res.setHeader('X-Content-Type-Options', 'nosniff');
      res.setHeader('Content-Security-Policy', "default-src 'none'; sandbox");
      res.setHeader('Cache-Control', 'private, no-store');
      // If the bytes change while they are sent, the stream fails and the
      // response is cut short (never a clean end with the wrong bytes).
      await pipeline(blob.stream(), res);
    } catch (err) {
      if (err instanceof EvidenceError && err.code === EvidenceErrorCode.STORAGE_INTEGRITY) this.alert(evidence, err);
      res.destroy();
    } finally {
      await blob.close();
    }
  }

  private async dropUnreferenced(sha256: string): Promise<void> {
    try {
      await this.evidence.dropFileIfUnreferenced(sha256);
    } catch (err) {
      // The refusal is what the client must hear; a leftover blob is only swept by hand.
      this.logger.warn({ sha256, err }, 'Could not remove the bytes of a refused upload');
    }
  }

  /** The stored bytes are not what was recorded: an error-level log line for whoever watches the logs. */
  private alert(evidence: EvidenceEntity, err: EvidenceError): void {
    this.logger.error(
      {
        alert: 'EVIDENCE_STORAGE_INTEGRITY',
        evidenceId: evidence.id,
        expectedSha256: evidence.sha256,
        actualSha256: (err.details.actual as string | null | undefined) ?? null,
      },
      `Stored bytes of evidence ${evidence.id} do not match their recorded SHA-256; not served`,
    );
  }
}

// ---- the download -------------------------------------------------------------------------

function contentTypeHeader(mediaType: string): string {
  return mediaType.startsWith('text/') || mediaType === 'application/json' ? `${mediaType}; charset=utf-8` : mediaType;
}

/** The usual extension of each type an evidence file may have (EVIDENCE_MEDIA_TYPES). */
const EXTENSIONS: Readonly<Record<string, string>> = {
  'application/pdf': 'pdf',
  'image/png': 'png',
  'image/jpeg': 'jpg',
  'text/csv': 'csv',
  'text/plain': 'txt',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': 'xlsx',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document': 'docx',
  'application/json': 'json',
};

/**
 * The `filename=` for clients that ignore `filename*`: the name itself when it
 * is plain ASCII; otherwise (a Japanese name would turn into `_____.pdf`) a name
 * that still says what the file is: `CM-004_evidence-<evidence id>.pdf`, the
 * item's key, the evidence id and the extension of the stored type.
 */
export function asciiFallbackName(name: string, of: { countermeasureKey: string; evidenceId: string; mediaType: string }): string {
  if (/^[\x20-\x7e]+$/.test(name) && !/["\\%]/.test(name)) return name;
  return `${of.countermeasureKey}_evidence-${of.evidenceId}.${EXTENSIONS[of.mediaType] ?? 'bin'}`;
}

/** `attachment` with an ASCII fallback name and the exact name in RFC 5987/6266 `filename*`. */
export function contentDisposition(name: string, fallback: string = name): string {
  const ascii = fallback.replace(/[^\x20-\x7e]|["\\%]/g, '_');
  const encoded = encodeURIComponent(name).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encoded}`;
}

// ---- the answer ---------------------------------------------------------------------------

export interface EvidenceFileJson {
  id: string;
  kind: string;
  name: string;
  description: string;
  mediaType: string | null;
  sizeBytes: number | null;
  sha256: string;
  versionNo: number;
  status: string;
  effectiveOn: string;
  countermeasureId: string;
  requirementId: string;
  targetId: string | null;
  supersedesId: string | null;
  uploadedByLabel: string;
  uploadedAt: string;
  version: number;
  downloadPath: string;
}

function evidenceFileJson(e: EvidenceEntity): EvidenceFileJson {
  return {
    id: e.id,
    kind: e.kind,
    name: e.name,
    description: e.description,
    mediaType: e.mediaType,
    sizeBytes: e.sizeBytes,
    sha256: e.sha256,
    versionNo: e.versionNo,
    status: e.status,
    effectiveOn: e.effectiveOn,
    countermeasureId: e.countermeasureId,
    requirementId: e.requirementId,
    targetId: e.targetId,
    supersedesId: e.supersedesId,
    uploadedByLabel: e.uploadedByLabel,
    uploadedAt: e.uploadedAt.toISOString(),
    version: e.version,
    downloadPath: `/evidence/${e.id}/content`,
  };
}
