/** The settings the rules below read (a subset of AppConfig, so that they are tested on plain objects). */
export interface MultiInstanceSettings {
  INSTANCES: number;
  DATABASE_URL?: string;
  EVIDENCE_S3_BUCKET?: string;
  EVIDENCE_SHARED_DIRECTORY: boolean;
  JWT_SECRET?: string;
  SECOND_FACTOR_KEY?: string;
  TRAIL_SIGNING_KEY_FILE?: string;
  BUNDLE_SIGNING_KEY_FILE?: string;
  CHECKPOINT_DIR?: string;
  BUNDLE_DIR?: string;
}

/**
 * What several instances (INSTANCES > 1) cannot keep each to itself. A single
 * process makes these on its own, in DATA_DIR, on its first start; with more
 * than one, each would make its own, and a request reaching another instance
 * would find a different database, no evidence file, a token it cannot check,
 * an authenticator secret it cannot decrypt, a checkpoint signed by another key,
 * or no bundle. So each must be named explicitly, the same on every instance:
 *
 * - DATABASE_URL: the embedded PostgreSQL (DATA_DIR/pg) serves one process.
 * - EVIDENCE_S3_BUCKET, or EVIDENCE_SHARED_DIRECTORY=true for a DATA_DIR/evidence
 *   mounted by every instance.
 * - JWT_SECRET and SECOND_FACTOR_KEY (else DATA_DIR/jwt-secret, DATA_DIR/second-factor-key).
 * - TRAIL_SIGNING_KEY_FILE and BUNDLE_SIGNING_KEY_FILE (else DATA_DIR/keys/*.pem,
 *   made and rotated by each instance): the same key file on every instance.
 * - CHECKPOINT_DIR: every checkpoint is written there and the newest file is
 *   read back to detect a trail cut short, by whichever instance does it.
 * - BUNDLE_DIR: a bundle built by one instance is downloaded through any.
 *
 * The server cannot see whether a directory is shared; a directory setting is the
 * operator's statement that it is (README "Running more than one instance").
 * Returns one problem per setting, each naming the setting and what to do.
 */
export function multiInstanceProblems(c: MultiInstanceSettings): string[] {
  if (!(typeof c.INSTANCES === 'number' && c.INSTANCES > 1)) return [];
  const n = `INSTANCES=${c.INSTANCES}`;
  const problems: string[] = [];
  if (!c.DATABASE_URL) {
    problems.push(
      `DATABASE_URL: ${n} needs one PostgreSQL server that every instance reaches: set DATABASE_URL ` +
        `(the embedded database under DATA_DIR/pg serves a single process)`,
    );
  }
  if (!c.EVIDENCE_S3_BUCKET && !c.EVIDENCE_SHARED_DIRECTORY) {
    problems.push(
      `EVIDENCE_S3_BUCKET: ${n} needs evidence files that every instance reads: set EVIDENCE_S3_BUCKET (and EVIDENCE_S3_*), ` +
        `or mount one DATA_DIR/evidence on every instance and set EVIDENCE_SHARED_DIRECTORY=true`,
    );
  }
  const secret = (name: string, file: string) =>
    `${name}: ${n} needs the same value on every instance: set ${name} (at least 32 characters; ` +
    `otherwise each instance generates its own into ${file})`;
  if (!c.JWT_SECRET) problems.push(secret('JWT_SECRET', 'DATA_DIR/jwt-secret'));
  if (!c.SECOND_FACTOR_KEY) problems.push(secret('SECOND_FACTOR_KEY', 'DATA_DIR/second-factor-key'));
  const keyFile = (name: string, file: string) =>
    `${name}: ${n} needs one signing key for all instances: set ${name} to the same Ed25519 private key file (PKCS#8 PEM) ` +
    `on every instance (otherwise each instance makes its own ${file})`;
  if (!c.TRAIL_SIGNING_KEY_FILE) problems.push(keyFile('TRAIL_SIGNING_KEY_FILE', 'DATA_DIR/keys/trail.pem'));
  if (!c.BUNDLE_SIGNING_KEY_FILE) problems.push(keyFile('BUNDLE_SIGNING_KEY_FILE', 'DATA_DIR/keys/bundle.pem'));
  if (!c.CHECKPOINT_DIR) {
    problems.push(
      `CHECKPOINT_DIR: ${n} needs one directory of checkpoint files for all instances: set CHECKPOINT_DIR to a directory ` +
        `every instance mounts (the default DATA_DIR/checkpoints would scatter them, one part per instance)`,
    );
  }
  if (!c.BUNDLE_DIR) {
    problems.push(
      `BUNDLE_DIR: ${n} needs bundles that any instance can hand out: set BUNDLE_DIR to a directory every instance mounts ` +
        `(a bundle built into one instance's DATA_DIR/bundles could not be downloaded through the others)`,
    );
  }
  return problems;
}
