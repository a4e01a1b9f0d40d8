import { Controller, Get, HttpCode, Inject, Param, Post, Req, Res } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import busboy from 'busboy';
import type { Request, Response } from 'express';
import { PinoLogger } from 'nestjs-pino';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Actor, type AppConfig } from '@app/common';
import { countermeasureKey, CountermeasuresService } from '@app/countermeasures';
import {
  EvidenceError,
  EvidenceErrorCode,
  EvidenceService,
  EvidenceStorage,
  MAX_EVIDENCE_NAME_LENGTH,
  openVerified,
  type EvidenceEntity,
  type StagedBlob,
  type VerifiedBlob,
} from '@app/evidence';
import { Permission, type UserEntity } from '@app/identity';
import { Allow, CurrentUser } from '../auth/access.decorators';
import { serverBusy, UploadSlots } from '../common/work-limits';

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
      throw new EvidenceError(EvidenceErrorCode.EVIDENCE_NOT_FOUND, `Evidence ${id} is a ${evidence.kind.toLowerCase()}: it has no file to download`, {
        id,
        kind: evidence.kind,
      });
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

// ---- the upload ---------------------------------------------------------------------------

/** The same kind of header Apollo's csrfPrevention demands: a browser cannot send it cross-site without a preflight. */
const CSRF_HEADERS = ['apollo-require-preflight', 'x-requested-with'] as const;
const headerName = (h: string) => h.replace(/(^|-)([a-z])/g, (_, dash: string, c: string) => dash + c.toUpperCase());

function hasCsrfHeader(req: Request): boolean {
  return CSRF_HEADERS.some((h) => {
    const v = req.headers[h];
    return typeof v === 'string' ? v.trim() !== '' : Array.isArray(v) && v.some((x) => x.trim() !== '');
  });
}

const FILE_PART = 'file';
const FIELDS = ['requirementId', 'targetId', 'effectiveOn', 'description', 'supersedesId'] as const;
type FieldName = (typeof FIELDS)[number];
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const DAY = /^\d{4}-\d{2}-\d{2}$/;

interface UploadFields {
  requirementId: string;
  targetId: string | null;
  effectiveOn: string;
  description: string | null;
  supersedesId: string | null;
}

interface ReceivedUpload {
  fields: UploadFields;
  /** Display name only (see `displayName`); never a path. */
  fileName: string;
  staged: StagedBlob;
}

const uploadInvalid = (message: string, details: Record<string, unknown> = {}) => new EvidenceError(EvidenceErrorCode.UPLOAD_INVALID, message, details);
const invalidField = (field: string, message: string) => new EvidenceError(EvidenceErrorCode.INVALID_FIELD, message, { field });

function checkFields(raw: Partial<Record<FieldName, string>>): UploadFields {
  const optionalUuid = (field: 'targetId' | 'supersedesId') => {
    const v = raw[field]?.trim();
    if (!v) return null;
    if (!UUID.test(v)) throw invalidField(field, `${field} must be a UUID`);
    return v;
  };
  const requirementId = raw.requirementId?.trim();
  if (!requirementId) throw uploadInvalid('The field requirementId is missing (send the fields before the file part)', { field: 'requirementId' });
  if (!UUID.test(requirementId)) throw invalidField('requirementId', 'requirementId must be a UUID');
  const effectiveOn = raw.effectiveOn?.trim();
  if (!effectiveOn) throw uploadInvalid('The field effectiveOn is missing (send the fields before the file part)', { field: 'effectiveOn' });
  if (!DAY.test(effectiveOn)) throw invalidField('effectiveOn', 'effectiveOn must be a day, YYYY-MM-DD');
  return {
    requirementId,
    effectiveOn,
    targetId: optionalUuid('targetId'),
    supersedesId: optionalUuid('supersedesId'),
    description: raw.description?.trim() ? raw.description : null,
  };
}

/**
 * The uploaded name as display text: path components dropped (`C:\x\a.pdf`,
 * `../../a.pdf` → `a.pdf`), control and bidirectional-override characters
 * removed, NFC (a macOS name arrives decomposed), at most 255 code points
 * (the extension kept). Japanese names pass unchanged.
 */
export function displayName(raw: string | undefined): string {
  let name = (raw ?? '').normalize('NFC');
  name = name.slice(Math.max(name.lastIndexOf('/'), name.lastIndexOf('\\')) + 1);
  name = name.replace(/[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, '').trim();
  if (name === '' || name === '.' || name === '..') name = 'file';
  const chars = [...name];
  if (chars.length <= MAX_EVIDENCE_NAME_LENGTH) return name;
  const dot = name.lastIndexOf('.');
  const ext = dot > 0 ? [...name.slice(dot)] : [];
  const keep = ext.length > 0 && ext.length <= 16 ? ext : [];
  return [...chars.slice(0, MAX_EVIDENCE_NAME_LENGTH - keep.length), ...keep].join('');
}

/**
 * Stops taking a request's body: unpiped from the parser and read to nowhere,
 * so that the client, still sending, gets to read the answer; but only up to
 * `limit` more bytes, after which the connection is dropped.
 */
function stopReading(req: Request, limit: number, parser?: NodeJS.WritableStream): void {
  if (parser) req.unpipe(parser);
  if (req.complete) return;
  let drained = 0;
  req.on('data', (chunk: Buffer) => {
    drained += chunk.length;
    if (drained > limit) req.destroy();
  });
  req.resume();
}

/**
 * Parses the multipart body as it arrives: the text fields first, then exactly
 * one part named `file`, handed to `stage` as a stream. Resolves once the whole
 * form was read and the file is staged; on any problem (bad form, a second
 * file, the client going away, a refusal by `stage`) rejects with a coded error
 * only after the staged bytes, if any, are gone.
 */
function receiveUpload(req: Request, maxBytes: number, stage: (file: Readable) => Promise<StagedBlob>): Promise<ReceivedUpload> {
  return new Promise<ReceivedUpload>((resolve, reject) => {
    let parser: busboy.Busboy;
    try {
      parser = busboy({
        headers: req.headers,
        defParamCharset: 'utf8', // file names as browsers and fetch send them (raw UTF-8), not latin1
        limits: { files: 1, fields: FIELDS.length, parts: FIELDS.length + 1, fieldNameSize: 64, fieldSize: 128 * 1024, headerPairs: 32 },
      });
    } catch {
      stopReading(req, maxBytes);
      reject(uploadInvalid('An upload must be multipart/form-data with a boundary', { contentType: req.headers['content-type'] ?? null }));
      return;
    }
    const raw: Partial<Record<FieldName, string>> = {};
    let fields: UploadFields | null = null;
    let fileName = '';
    let fileStream: Readable | null = null;
    let staging: Promise<StagedBlob> | null = null;
    let settled = false;

    const fail = (err: unknown) => {
      if (settled) return;
      settled = true;
      stopReading(req, maxBytes, parser);
      const reason = err instanceof Error ? err : new Error(String(err));
      if (fileStream && !fileStream.destroyed) fileStream.destroy(reason);
      void (async () => {
        const staged = staging ? await staging.catch(() => null) : null;
        if (staged) await staged.discard();
      })().finally(() => reject(err));
    };

    parser.on('field', (name, value, info) => {
      if (settled) return;
      if (name === FILE_PART) return fail(uploadInvalid(`The part "${FILE_PART}" must be a file, with a filename`, { field: name }));
      if (staging) return fail(uploadInvalid('Send the fields before the file part', { field: name }));
      if (!(FIELDS as readonly string[]).includes(name)) return fail(uploadInvalid(`Unknown field ${name}`, { field: name, allowed: [...FIELDS] }));
      if (raw[name as FieldName] !== undefined) return fail(uploadInvalid(`The field ${name} is sent twice`, { field: name }));
      if (info.valueTruncated || info.nameTruncated) return fail(invalidField(name, `The field ${name} is too long`));
      raw[name as FieldName] = value;
    });

    parser.on('file', (name, stream, info) => {
      // busboy destroys a file stream with the form's error (e.g. "Unexpected end of form");
      // with no listener that would be an uncaught exception. The error reaches us via the parser.
      stream.on('error', () => undefined);
      if (settled) return void stream.resume();
      if (name !== FILE_PART) {
        stream.resume();
        return fail(uploadInvalid(`The file part must be named "${FILE_PART}"`, { field: name }));
      }
      try {
        fields = checkFields(raw);
      } catch (err) {
        stream.resume();
        return fail(err);
      }
      fileName = displayName(info.filename);
      fileStream = stream;
      staging = stage(stream);
      staging.catch(fail);
    });

    parser.on('filesLimit', () => fail(uploadInvalid('Send exactly one file per upload')));
    parser.on('fieldsLimit', () => fail(uploadInvalid('Too many fields', { allowed: [...FIELDS] })));
    parser.on('partsLimit', () => fail(uploadInvalid('Too many parts')));
    parser.on('error', (err: Error) => fail(uploadInvalid(`The multipart body is malformed or incomplete: ${err.message}`)));
    parser.on('close', () => {
      if (settled) return;
      if (!staging || !fields) {
        // Fields present but no file part at all: still a missing-field problem if fields are wrong.
        try {
          checkFields(raw);
        } catch (err) {
          return fail(err);
        }
        return fail(uploadInvalid(`No file: send one part named "${FILE_PART}" with a filename`));
      }
      const checked = fields;
      staging.then(
        (staged) => {
          if (settled) return void staged.discard();
          settled = true;
          resolve({ fields: checked, fileName, staged });
        },
        fail,
      );
    });

    // The client went away (or the connection broke) before the whole body arrived.
    const cutOff = () => {
      if (!req.complete) fail(uploadInvalid('The upload was cut off before it was complete'));
    };
    req.on('aborted', cutOff);
    req.on('close', cutOff);
    req.on('error', cutOff);
    req.pipe(parser);
  });
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
