import busboy from 'busboy';
import type { Request } from 'express';
import type { Readable } from 'node:stream';
import { EvidenceError, EvidenceErrorCode, MAX_EVIDENCE_NAME_LENGTH, type StagedBlob } from '@app/evidence';
import { isUuid } from '@app/common';

/**
 * Receiving an evidence upload (multipart/form-data) for EvidenceFilesController:
 * the CSRF header, the text fields (checked), exactly one part \`file\` streamed
 * into the evidence storage, and stopping a request that is refused.
 */

/** The same kind of header Apollo's csrfPrevention demands: a browser cannot send it cross-site without a preflight. */
export const CSRF_HEADERS = ['apollo-require-preflight', 'x-requested-with'] as const;
export const headerName = (h: string) => h.replace(/(^|-)([a-z])/g, (_, dash: string, c: string) => dash + c.toUpperCase());

export function hasCsrfHeader(req: Request): boolean {
  return CSRF_HEADERS.some((h) => {
    const v = req.headers[h];
    return typeof v === 'string' ? v.trim() !== '' : Array.isArray(v) && v.some((x) => x.trim() !== '');
  });
}

const FILE_PART = 'file';
const FIELDS = ['requirementId', 'targetId', 'effectiveOn', 'description', 'supersedesId'] as const;
type FieldName = (typeof FIELDS)[number];
const DAY = /^\d{4}-\d{2}-\d{2}$/;

export interface UploadFields {
  requirementId: string;
  targetId: string | null;
  effectiveOn: string;
  description: string | null;
  supersedesId: string | null;
}

export interface ReceivedUpload {
  fields: UploadFields;
  /** Display name only (see `displayName`); never a path. */
  fileName: string;
  staged: StagedBlob;
}

const uploadInvalid = (message: string, details: Record<string, unknown> = {}) =>
  new EvidenceError(EvidenceErrorCode.UPLOAD_INVALID, message, details);
const invalidField = (field: string, message: string) => new EvidenceError(EvidenceErrorCode.INVALID_FIELD, message, { field });

function checkFields(raw: Partial<Record<FieldName, string>>): UploadFields {
  const optionalUuid = (field: 'targetId' | 'supersedesId') => {
    const v = raw[field]?.trim();
    if (!v) return null;
    if (!isUuid(v)) throw invalidField(field, `${field} must be a UUID`);
    return v;
  };
  const requirementId = raw.requirementId?.trim();
  if (!requirementId)
    throw uploadInvalid('The field requirementId is missing (send the fields before the file part)', { field: 'requirementId' });
  if (!isUuid(requirementId)) throw invalidField('requirementId', 'requirementId must be a UUID');
  const effectiveOn = raw.effectiveOn?.trim();
  if (!effectiveOn)
    throw uploadInvalid('The field effectiveOn is missing (send the fields before the file part)', { field: 'effectiveOn' });
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
  name = name.replace(/[\p{Cc}\u200e\u200f\u202a-\u202e\u2066-\u2069]/gu, '').trim(); // \p{Cc}: U+0000-001F, U+007F-009F
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
export function stopReading(req: Request, limit: number, parser?: NodeJS.WritableStream): void {
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
export function receiveUpload(req: Request, maxBytes: number, stage: (file: Readable) => Promise<StagedBlob>): Promise<ReceivedUpload> {
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
      if (!(FIELDS as readonly string[]).includes(name))
        return fail(uploadInvalid(`Unknown field ${name}`, { field: name, allowed: [...FIELDS] }));
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
      staging.then((staged) => {
        if (settled) return void staged.discard();
        settled = true;
        resolve({ fields: checked, fileName, staged });
      }, fail);
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
