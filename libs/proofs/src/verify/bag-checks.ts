import {
  BAG,
  BAG_INFO_PATH,
  BAGIT_PATH,
  bagitTxt,
  LAYOUT_FILES,
  MANIFEST_PATH,
  parseBagInfo,
  parseManifest,
  TAG_FILES,
  TAG_MANIFEST_PATH,
  type ManifestEntry,
} from '../bag';
import { CheckBuilder, type CheckResult } from './report';
import { errorText, type VerifyContext } from './context';

const DATA_PREFIX = `${BAG}/data/`;

/** BAG_COMPLETE: every manifest line's file is there with its bytes, no file is unlisted, Payload-Oxum, bagit.txt. */
export async function checkBagComplete(ctx: VerifyContext): Promise<{ result: CheckResult; manifest: ManifestEntry[] }> {
  const c = new CheckBuilder('BAG_COMPLETE');
  const bagit = await ctx.text(BAGIT_PATH).catch(() => null);
  if (bagit !== bagitTxt())
    c.problem('bagit.txt がないか、内容が BagIt 1.0 ではありません。', 'bagit.txt is missing or is not BagIt 1.0.', { file: BAGIT_PATH });

  let manifest: ManifestEntry[] = [];
  const manifestText = await ctx.text(MANIFEST_PATH).catch(() => null);
  if (manifestText === null) {
    c.problem('manifest-sha256.txt がありません。', 'manifest-sha256.txt is missing.', { file: MANIFEST_PATH });
  } else {
    try {
      manifest = parseManifest(manifestText);
    } catch (e) {
      c.problem(`manifest-sha256.txt を読めません: ${errorText(e)}`, `manifest-sha256.txt cannot be read: ${errorText(e)}`, {
        file: MANIFEST_PATH,
      });
    }
  }

  let octets = 0;
  let listedPresent = 0;
  for (const entry of manifest) {
    const file = `${BAG}/${entry.path}`;
    if (!entry.path.startsWith('data/')) {
      c.problem(
        `マニフェストにペイロード外のパスがあります: ${entry.path}`,
        `The manifest lists a path outside the payload: ${entry.path}`,
        { file },
      );
      continue;
    }
    if (!ctx.has(file)) {
      c.problem(`マニフェストにあるファイルがありません: ${file}`, `A file in the manifest is missing: ${file}`, { file });
      continue;
    }
    const d = await ctx.digest(file);
    octets += d.size;
    listedPresent++;
    if (d.sha256 !== entry.sha256) {
      c.problem(`内容がマニフェストのハッシュと一致しません: ${file}`, `Bytes differ from the manifest hash: ${file}`, { file });
    }
  }

  const listed = new Set(manifest.map((e) => `${BAG}/${e.path}`));
  const payloadFiles = [...ctx.paths].filter((p) => p.startsWith(DATA_PREFIX));
  for (const p of payloadFiles) {
    if (!listed.has(p)) c.problem(`マニフェストにないファイルがあります: ${p}`, `A file is not in the manifest: ${p}`, { file: p });
  }
  for (const p of ctx.paths) {
    if (!p.startsWith(DATA_PREFIX) && !LAYOUT_FILES.includes(p)) {
      c.problem(`バンドルの構成にないファイルがあります: ${p}`, `A file outside the bundle layout: ${p}`, { file: p });
    }
  }

  const infoText = await ctx.text(BAG_INFO_PATH).catch(() => null);
  if (infoText === null) {
    c.problem('bag-info.txt がないか読めません。', 'bag-info.txt is missing or unreadable.', { file: BAG_INFO_PATH });
  } else {
    let oxum: string | undefined;
    try {
      oxum = parseBagInfo(infoText).find(([k]) => k === 'Payload-Oxum')?.[1];
    } catch (e) {
      c.problem(`bag-info.txt を読めません: ${errorText(e)}`, `bag-info.txt cannot be read: ${errorText(e)}`, { file: BAG_INFO_PATH });
    }
    let actualOctets = 0;
    for (const p of payloadFiles) actualOctets += (await ctx.digest(p)).size;
    const actual = `${actualOctets}.${payloadFiles.length}`;
    if (oxum === undefined)
      c.problem('bag-info.txt に Payload-Oxum がありません。', 'bag-info.txt has no Payload-Oxum.', { file: BAG_INFO_PATH });
    else if (oxum !== actual) {
      c.problem(
        `Payload-Oxum が一致しません（記載 ${oxum}、実際 ${actual}）。`,
        `Payload-Oxum differs (stated ${oxum}, actual ${actual}).`,
        { file: BAG_INFO_PATH },
      );
    }
  }
  if (!c.failed) {
    c.info(
      `${listedPresent} 個のペイロードファイル（${octets} バイト）がマニフェストどおりです。`,
      `${listedPresent} payload files (${octets} bytes) match the manifest.`,
    );
  }
  return { result: c.result(), manifest };
}

/** TAG_MANIFEST: bagit.txt, bag-info.txt and manifest-sha256.txt are listed in the tag manifest with their hashes. */
export async function checkTagManifest(ctx: VerifyContext): Promise<CheckResult> {
  const c = new CheckBuilder('TAG_MANIFEST');
  const text = await ctx.text(TAG_MANIFEST_PATH).catch(() => null);
  if (text === null)
    return c.problem('tagmanifest-sha256.txt がありません。', 'tagmanifest-sha256.txt is missing.', { file: TAG_MANIFEST_PATH }).result();
  let entries: ManifestEntry[];
  try {
    entries = parseManifest(text);
  } catch (e) {
    return c
      .problem(`tagmanifest-sha256.txt を読めません: ${errorText(e)}`, `tagmanifest-sha256.txt cannot be read: ${errorText(e)}`, {
        file: TAG_MANIFEST_PATH,
      })
      .result();
  }
  for (const tag of TAG_FILES) {
    const entry = entries.find((e) => e.path === tag);
    const file = `${BAG}/${tag}`;
    if (!entry) {
      c.problem(`タグマニフェストに ${tag} がありません。`, `The tag manifest does not list ${tag}.`, { file });
    } else if (!ctx.has(file)) {
      c.problem(`タグファイルがありません: ${file}`, `A tag file is missing: ${file}`, { file });
    } else if ((await ctx.digest(file)).sha256 !== entry.sha256) {
      c.problem(
        `タグファイルのハッシュがタグマニフェストと一致しません: ${file}`,
        `A tag file's hash differs from the tag manifest: ${file}`,
        { file },
      );
    } else {
      c.info(`${file} は一致します。`, `${file} matches.`, { file });
    }
  }
  for (const e of entries) {
    if (!(TAG_FILES as readonly string[]).includes(e.path)) {
      c.problem(`タグマニフェストに想定外のファイルがあります: ${e.path}`, `The tag manifest lists an unexpected file: ${e.path}`, {
        file: `${BAG}/${e.path}`,
      });
    }
  }
  return c.result();
}
