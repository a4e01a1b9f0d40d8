import { formatReport, verifyBundle, type Lang, type VerifyOptions } from '@app/proofs';
import { nodePlatform } from '@app/proofs/node';
import { many, one, parseArgs, UsageError, type ParsedArgs } from './cli/args';
import { checkpointCommand, cosignCommand, type Output } from './cli/commands';
import { cosignerArgument, keyPinArgument, readTextFile } from './cli/keys-input';
import { openZipFileSource } from './cli/zip-file-source';

/**
 * remediation-verify: checks an evidence bundle offline (docs/proofs.md, "The
 * verifier's checks"). Exit status 0 when no check fails, 1 when one does, 2 on
 * a usage error.
 */
const USAGE = `使い方 / Usage:
  remediation-verify <bundle.zip> --key <SHA256:fingerprint | keys.json | public-key.pem>
      [--trail-key <fingerprint | keys.json | pem>] [--checkpoint <older-checkpoint.txt>]
      [--cosigner <vkey | file>]... [--lang ja|en]
  remediation-verify cosign <checkpoint.txt> --trail-key <keys.json | pem> --key <auditor-ed25519-private.pem> --name <e-mail>
  remediation-verify checkpoint <checkpoint.txt> --key <keys.json | pem> [--older <older.txt> --proof <proof.json>] [--lang ja|en]
`;

const OPTIONS = {
  key: 'one',
  'trail-key': 'one',
  checkpoint: 'one',
  cosigner: 'many',
  lang: 'one',
  name: 'one',
  older: 'one',
  proof: 'one',
  help: 'flag',
} as const;

function langOf(args: ParsedArgs): Lang | undefined {
  const lang = one(args, 'lang');
  if (lang === undefined) return undefined;
  if (lang !== 'ja' && lang !== 'en') throw new UsageError('--lang is ja or en');
  return lang;
}

async function verifyCommand(args: ParsedArgs, io: Output, lang: Lang | undefined): Promise<number> {
  const [zipPath] = args.positional;
  const key = one(args, 'key');
  if (!zipPath || args.positional.length !== 1) throw new UsageError('give one bundle zip');
  if (!key) throw new UsageError('--key is required: the fingerprint, keys document or PEM of the bundle key');
  const options: VerifyOptions = { key: keyPinArgument(key, '--key'), cosigners: many(args, 'cosigner').map(cosignerArgument) };
  const trailKey = one(args, 'trail-key');
  if (trailKey) options.trailKey = keyPinArgument(trailKey, '--trail-key');
  const older = one(args, 'checkpoint');
  if (older) options.olderCheckpoint = readTextFile(older, 'the --checkpoint file');
  let source;
  try {
    source = await openZipFileSource(zipPath);
  } catch (e) {
    io.err(`${zipPath}: ${(e as Error).message}\n`);
    io.out(
      lang === 'en'
        ? 'Result: FAILED (the zip cannot be read)\n'
        : lang === 'ja'
          ? '結果: 不合格（zip を読めません）\n'
          : '結果: 不合格（zip を読めません）\nResult: FAILED (the zip cannot be read)\n',
    );
    return 1;
  }
  try {
    const report = await verifyBundle(source, options, nodePlatform);
    const langs: Lang[] = lang ? [lang] : ['ja', 'en'];
    io.out(langs.map((l) => formatReport(report, l)).join('\n'));
    return report.ok ? 0 : 1;
  } finally {
    source.close();
  }
}

export async function main(argv: readonly string[], io: Output): Promise<number> {
  try {
    const sub = argv[0] === 'cosign' || argv[0] === 'checkpoint' ? argv[0] : null;
    const args = parseArgs(sub ? argv.slice(1) : argv, OPTIONS);
    if (args.options.has('help')) {
      io.out(USAGE);
      return 0;
    }
    const lang = langOf(args);
    if (sub === 'cosign') return await cosignCommand(args, io);
    if (sub === 'checkpoint') return await checkpointCommand(args, io, lang);
    for (const o of ['name', 'older', 'proof']) if (args.options.has(o)) throw new UsageError(`--${o} belongs to a subcommand`);
    return await verifyCommand(args, io, lang);
  } catch (e) {
    if (e instanceof UsageError) {
      io.err(`remediation-verify: ${e.message}\n\n${USAGE}`);
      return 2;
    }
    throw e;
  }
}

if (require.main === module) {
  main(process.argv.slice(2), { out: (t) => process.stdout.write(t), err: (t) => process.stderr.write(t) }).then(
    (code) => {
      process.exitCode = code;
    },
    (e: unknown) => {
      process.stderr.write(`remediation-verify: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
      process.exitCode = 1;
    },
  );
}
