import * as fs from 'node:fs';
import * as path from 'node:path';
import { Inject, Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { Actor, CASE_TIME_ZONE, todayIn, type AppConfig } from '@app/common';
import { EvidenceStorage } from '@app/evidence';
import { renderPdf, StatusReportService } from '@app/reports';
import {
  BAG,
  bagInfoTxt,
  bagitTxt,
  bundleStatement,
  canonicalJson,
  DSSE_PAYLOAD_TYPE,
  KEYS_PATH,
  manifestTxt,
  pae,
  payloadOxum,
  readableJson,
  SIGSTORE_BUNDLE_PATH,
  sigstoreBundle,
  TAG_MANIFEST_PATH,
  VERIFY_TXT_PATH,
} from '@app/proofs';
import { checkpointKeyFingerprint } from './bundle-checkpoint-key';
import { evidencePayloadPath, sha256Hex } from './bundle-layout';
import { BundleSigner, BundleTrail } from './bundle-ports';
import { BundleRecordsReader, type BundleRecords } from './bundle-records.sql';
import { verifyTxt } from './bundle-verify-text';
import { writeZip, type ZipEntry, type ZipProgress } from './bundle-zip';
import type { EvidenceBundleEntity } from './evidence-bundle.entity';

/** What is being built: the row's request. */
export type BundleRequest = Pick<EvidenceBundleEntity, 'id' | 'scope' | 'scopeId' | 'asOf'>;

export interface BuildPlan {
  incidentId: string;
  checkpointSize: number;
  /** The evidence files to stream: how many and how many bytes. */
  files: number;
  bytes: number;
}

export interface BuiltBundle {
  sha256: string;
  size: number;
  incidentId: string;
  checkpointSize: number;
}

/** The generator named in bag-info.txt and the Statement. */
export function generatorName(): string {
  let dir = __dirname;
  while (!fs.existsSync(path.join(dir, 'package.json'))) {
    const up = path.dirname(dir);
    if (up === dir) return 'remediation-tracker';
    dir = up;
  }
  const pkg = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string };
  return `${pkg.name ?? 'remediation-tracker'} ${pkg.version ?? '0.0.0'}`;
}

/** The directory where bundles are kept (BUNDLE_DIR, default DATA_DIR/bundles). */
export function bundleDir(config: ConfigService<AppConfig, true>): string {
  return config.get('BUNDLE_DIR', { infer: true }) ?? path.join(config.get('DATA_DIR', { infer: true }), 'bundles');
}

/**
 * Builds one bundle (docs/proofs.md, "The evidence bundle"): reads the records
 * of the scope as of the bundle's instant, the trail entries about them with
 * their inclusion proofs against the checkpoint that covers the as-of, renders
 * the status report, computes the manifests, signs the tag manifest's digest
 * (DSSE over an in-toto Statement) and writes the zip, streaming the evidence
 * files from the store. Everything but the evidence bytes is small and made in
 * memory first; the evidence bytes are checked against their recorded SHA-256
 * on their way into the zip (a mismatch fails the build).
 *
 * The same data and the same as-of give the same bytes: the records are sorted,
 * canonical JSON, the checkpoint is the earliest that covers the as-of, the
 * report's times are the as-of, and Ed25519 signatures are deterministic.
 */
@Injectable()
export class BundleBuilder {
  private readonly generator = generatorName();
  private readonly dir: string;
  private readonly origin: string;

  constructor(
    @Inject(BundleRecordsReader) private readonly records: BundleRecordsReader,
    @Inject(BundleTrail) private readonly trail: BundleTrail,
    @Inject(BundleSigner) private readonly signer: BundleSigner,
    @Inject(StatusReportService) private readonly reports: StatusReportService,
    @Inject(EvidenceStorage) private readonly storage: EvidenceStorage,
    @Inject(ConfigService) config: ConfigService<AppConfig, true>,
  ) {
    this.dir = bundleDir(config);
    this.origin = config.get('PROOF_ORIGIN', { infer: true });
  }

  /** Where a bundle's zip is (or will be). */
  pathOf(id: string): string {
    return path.join(this.dir, `${id}.zip`);
  }

  /**
   * Removes the temp files of the builds of `bundleIds`, interrupted by a stop or a crash
   * (`<id>.zip.<pid>.<ms>.part`), once they are queued again; another instance's build in
   * progress in a shared BUNDLE_DIR is never touched. Returns how many.
   */
  async sweepPartials(bundleIds: readonly string[]): Promise<number> {
    const names = await fs.promises.readdir(this.dir).catch(() => [] as string[]);
    const partial = names.filter((n) => n.endsWith('.part') && bundleIds.some((id) => n.startsWith(`${id}.zip.`)));
    for (const n of partial) await fs.promises.rm(path.join(this.dir, n), { force: true });
    return partial.length;
  }

  async build(req: BundleRequest, onPlan: (plan: BuildPlan) => Promise<void>, onProgress: (p: ZipProgress) => void): Promise<BuiltBundle> {
    const asOf = req.asOf.toISOString();
    const trailSize = await this.trail.sizeAt(req.asOf);
    const records = await this.records.read(req.scope, req.scopeId, req.asOf);
    const checkpoint = await this.trail.coveringCheckpoint(trailSize, Actor.system('evidence-bundles'));
    const entries = await this.trail.entriesFor(records.entityIds, trailSize);
    const inclusion = await this.trail.inclusionProofs(
      entries.map((e) => Number(e.seq)),
      checkpoint.size,
    );
    const consistency = await this.trail.consistencyProofsTo(checkpoint.size);

    // The payload: evidence files (streamed later), records, trail, reports.
    const files = new Map<string, ZipEntry & { size: number; sha256: string }>();
    const evidenceRecords = records.evidence.map((e) => {
      if (e.kind !== 'FILE' || e.size === null) return { ...e, path: null };
      const rel = evidencePayloadPath(e.sha256, e.fileName);
      const sha256 = e.sha256;
      const size = e.size;
      files.set(rel, { path: `${BAG}/${rel}`, size, sha256, open: () => this.openEvidence(sha256) });
      return { ...e, path: rel };
    });
    const evidenceFiles = [...files.values()];
    await onPlan({
      incidentId: records.incidentId,
      checkpointSize: checkpoint.size,
      files: evidenceFiles.length,
      bytes: evidenceFiles.reduce((n, f) => n + f.size, 0),
    });
    const small = (rel: string, text: string | Buffer) => {
      const bytes = typeof text === 'string' ? Buffer.from(text, 'utf8') : text;
      files.set(rel, { path: `${BAG}/${rel}`, bytes, size: bytes.length, sha256: sha256Hex(bytes) });
    };
    for (const [name, rows] of recordFiles(records, evidenceRecords)) small(`data/records/${name}.json`, canonicalJson(rows));
    small('data/trail/entries.jsonl', entries.map((e) => `${canonicalJson(e)}\n`).join(''));
    small('data/trail/checkpoint.txt', checkpoint.text);
    small('data/trail/proofs.json', canonicalJson({ treeSize: checkpoint.size, rootHash: checkpoint.rootHash, inclusion, consistency }));
    const pdf = await this.statusReportPdf(records.incidentId, req.asOf);
    // The product's status report is one bilingual document (Japanese, with the English beside it on every page).
    small('data/report/status-report.pdf', pdf);

    // The tag files, the Statement and its signature.
    const payload = [...files.entries()].map(([rel, f]) => ({ path: rel, sha256: f.sha256, size: f.size }));
    const manifest = manifestTxt(payload);
    const bagInfo = bagInfoTxt({
      sourceOrganization: this.origin,
      scope: req.scope,
      scopeId: req.scopeId,
      incidentId: records.incidentId,
      baggingDate: todayIn(CASE_TIME_ZONE, req.asOf),
      asOf,
      generator: this.generator,
      checkpointSize: checkpoint.size,
      payloadOxum: payloadOxum(payload),
    });
    const tags = [
      { path: 'bagit.txt', text: bagitTxt() },
      { path: 'bag-info.txt', text: bagInfo },
      { path: 'manifest-sha256.txt', text: manifest },
    ];
    const tagManifest = manifestTxt(tags.map((t) => ({ path: t.path, sha256: sha256Hex(t.text) })));
    const keys = await this.signer.keysDocument();
    const keyFingerprint = await checkpointKeyFingerprint(checkpoint.text, keys);
    const statement = bundleStatement(sha256Hex(tagManifest), {
      scope: req.scope,
      scopeId: req.scopeId,
      incidentId: records.incidentId,
      asOf,
      generator: this.generator,
      checkpoint: { origin: `${this.origin}/trail`, size: checkpoint.size, rootHash: checkpoint.rootHash, keyFingerprint },
      signOffs: records.signOffs.map((s) => ({
        id: s.id as string,
        countermeasureId: s.countermeasureId as string,
        digest: s.digest as string,
      })),
      clearances: records.clearances.map((c) => ({ id: c.id as string, digest: c.digest as string })),
    });
    const statementBytes = Buffer.from(canonicalJson(statement), 'utf8');
    const { signature, fingerprint } = await this.signer.sign(Buffer.from(pae(DSSE_PAYLOAD_TYPE, statementBytes)));

    const zipEntries: ZipEntry[] = [...files.values()].map((f) =>
      'bytes' in f ? { path: f.path, bytes: f.bytes } : { path: f.path, size: f.size, sha256: f.sha256, open: f.open },
    );
    for (const t of tags) zipEntries.push({ path: `${BAG}/${t.path}`, bytes: Buffer.from(t.text, 'utf8') });
    zipEntries.push({ path: TAG_MANIFEST_PATH, bytes: Buffer.from(tagManifest, 'utf8') });
    zipEntries.push({
      path: SIGSTORE_BUNDLE_PATH,
      bytes: Buffer.from(readableJson(sigstoreBundle(statementBytes, signature, fingerprint))),
    });
    zipEntries.push({ path: KEYS_PATH, bytes: Buffer.from(readableJson(keys)) });
    zipEntries.push({
      path: VERIFY_TXT_PATH,
      bytes: Buffer.from(verifyTxt({ scope: req.scope, scopeId: req.scopeId, asOf, fingerprint, checkpointSize: checkpoint.size })),
    });
    const zip = await writeZip(this.pathOf(req.id), zipEntries, onProgress);
    return { ...zip, incidentId: records.incidentId, checkpointSize: checkpoint.size };
  }

  private async openEvidence(sha256: string) {
    const blob = await this.storage.open(sha256);
    const stream = blob.stream();
    const release = () => void blob.close().catch(() => undefined);
    // The store's streams may not close themselves (one descriptor per blob): release it when the bytes are through.
    for (const event of ['end', 'close', 'error']) stream.once(event, release);
    return stream;
  }

  /** The status report as of the bundle's instant, generated by the tracker itself (no requester's name: the same bytes for anyone). */
  private async statusReportPdf(incidentId: string, asOf: Date): Promise<Buffer> {
    const report = await this.reports.build(incidentId, asOf, { name: 'remediation-tracker', email: null });
    return renderPdf(report);
  }
}

function recordFiles(r: BundleRecords, evidence: unknown[]): [string, unknown[]][] {
  return [
    ['incident', r.incident],
    ['countermeasures', r.countermeasures],
    ['requirements', r.requirements],
    ['evidence', evidence],
    ['reviews', r.reviews],
    ['sign-offs', r.signOffs],
    ['engagements', r.engagements],
    ['findings', r.findings],
    ['clearances', r.clearances],
    ['risk-acceptances', r.riskAcceptances],
    ['gate-history', r.gateHistory],
  ];
}
