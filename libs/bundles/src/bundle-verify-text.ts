/**
 * VERIFY.txt: how to check a bundle by hand, in Japanese and then in English.
 * Only the scope, the key's fingerprint and the checkpoint size vary: the same
 * bundle gives the same text.
 */
export interface VerifyTextFacts {
  scope: string;
  scopeId: string;
  asOf: string;
  fingerprint: string;
  checkpointSize: number;
}

export function verifyTxt(f: VerifyTextFacts): string {
  return `${JA(f)}\n${'='.repeat(72)}\n\n${EN(f)}`;
}

const JA = (f: VerifyTextFacts) => `このファイルの確かめ方（証跡バンドル）
==========================================

対象: ${f.scope} ${f.scopeId}
基準時刻 (as-of): ${f.asOf}
バンドル署名鍵のフィンガープリント: ${f.fingerprint}
監査証跡チェックポイントのサイズ: ${f.checkpointSize}

このバンドルは、サーバーにもデータベースにも頼らずに確かめられます。
フィンガープリントは、このファイルではなく、当社が公開している鍵
（/.well-known/remediation-tracker/keys）または事前に受け取った値と照合してください。

1. 自動で確かめる（推奨）
   npx remediation-verify bundle.zip --key ${f.fingerprint}
   （以前に保管したチェックポイントがあれば --checkpoint older.txt を付けてください）
   リポジトリのクローンからは: npm run verify-bundle -- bundle.zip --key ${f.fingerprint}
   ブラウザーでは verify.html にこの zip をドロップしてください（オフラインで動きます）。

2. 手で確かめる
   a. zip を展開し、bag ディレクトリで:
        cd bag
        sha256sum -c manifest-sha256.txt      # 証跡ファイル・記録・報告書のハッシュ
        sha256sum -c tagmanifest-sha256.txt   # bagit.txt・bag-info.txt・manifest のハッシュ
   b. BagIt ツール（例: Library of Congress の bagit-python）で:
        bagit.py --validate bag
      （Payload-Oxum とファイルの過不足も確かめます）
   c. 署名の対象: tagmanifest-sha256.txt の SHA-256 が bundle.sigstore.json の
      DSSE ペイロード（in-toto Statement）の subject の sha256 と一致すること:
        sha256sum bag/tagmanifest-sha256.txt
   d. 署名: bundle.sigstore.json の dsseEnvelope の署名は、
      PAE("DSSEv1" SP len(type) SP type SP len(payload) SP payload) に対する Ed25519 署名です。
      keys.json のうちフィンガープリントが一致する鍵（publicKeyPem）で検証してください。
   e. 証跡ファイル: data/evidence/<sha256>/<ファイル名> の SHA-256 がディレクトリ名と
      data/records/evidence.json の sha256 に一致すること。
   f. 監査証跡: data/trail/entries.jsonl の各行のハッシュ、data/trail/proofs.json の
      包含証明（RFC 9162）が data/trail/checkpoint.txt のルートに至ること、
      checkpoint.txt の署名が、署名済み Statement の predicate.checkpoint.keyFingerprint が
      示す keys.json の trail 鍵によること（keys.json 自体は署名されていません）。
   g. 承認と監査完了: data/records/sign-offs.json と clearances.json の各 payload を
      RFC 8785 で正規化した JSON の SHA-256 が digest に一致すること。形式 sign-off/v2・
      clearance/v2 の payload は、署名者がその操作のために行った二要素認証（signerProof:
      方式・時刻、SSO では IdP の amr/acr）を含みます（null はデモで省略された場合）。
      v1 は記録開始前の形式で、signerProof を含みません。
`;

const EN = (f: VerifyTextFacts) => `How to check this file (evidence bundle)
=========================================

Scope: ${f.scope} ${f.scopeId}
As of: ${f.asOf}
Bundle signing key fingerprint: ${f.fingerprint}
Audit-trail checkpoint size: ${f.checkpointSize}

This bundle can be checked without our server and without our database.
Compare the fingerprint not with this file but with the keys we publish
(/.well-known/remediation-tracker/keys) or with the value you were given beforehand.

1. Automatically (recommended)
   npx remediation-verify bundle.zip --key ${f.fingerprint}
   (add --checkpoint older.txt with a checkpoint you kept earlier)
   From a clone of the repository: npm run verify-bundle -- bundle.zip --key ${f.fingerprint}
   In a browser: drop this zip on verify.html (it works offline).

2. By hand
   a. Unzip, then in the bag directory:
        cd bag
        sha256sum -c manifest-sha256.txt      # evidence files, records, reports
        sha256sum -c tagmanifest-sha256.txt   # bagit.txt, bag-info.txt, the manifest
   b. With a BagIt tool (e.g. the Library of Congress's bagit-python):
        bagit.py --validate bag
      (this also checks Payload-Oxum and that no file is missing or extra)
   c. What is signed: the SHA-256 of tagmanifest-sha256.txt must be the sha256 of the
      subject of the in-toto Statement, the DSSE payload in bundle.sigstore.json:
        sha256sum bag/tagmanifest-sha256.txt
   d. The signature: the dsseEnvelope's signature in bundle.sigstore.json is Ed25519 over
      PAE("DSSEv1" SP len(type) SP type SP len(payload) SP payload); verify it with the key
      in keys.json whose fingerprint matches (publicKeyPem).
   e. Evidence files: data/evidence/<sha256>/<file name> must hash to its directory's name
      and to its sha256 in data/records/evidence.json.
   f. The audit trail: each line of data/trail/entries.jsonl hashes to its "hash"; each
      inclusion proof in data/trail/proofs.json (RFC 9162) leads to the root in
      data/trail/checkpoint.txt, which is signed by the trail key of keys.json whose
      fingerprint the signed Statement names (predicate.checkpoint.keyFingerprint;
      keys.json itself is not signed).
   g. Sign-offs and clearances: the SHA-256 of the RFC 8785 canonical JSON of each payload
      in data/records/sign-offs.json and clearances.json must be its digest. Payloads of
      format sign-off/v2 and clearance/v2 hold the second factor the signer proved for it
      (signerProof: method, time, and for SSO the IdP's amr/acr; null where the demo waived
      it); v1 is the format from before it was recorded, without signerProof.
`;
