/**
 * The proofs panel's GraphQL operations (docs/proofs.md): the signed-in
 * user's permissions, the latest trail checkpoint, the published signing
 * keys, and the evidence bundle exports. Typed from the API's schema like
 * queries.ts.
 */
import { graphql, type ResultOf } from './graphql';

/** What the signed-in user may do (the panel shows what their permissions allow). */
export const MY_PERMISSIONS = graphql(`
  query MyPermissions {
    me { id permissions }
  }
`);

/** The newest signed checkpoint of the audit trail, with its co-signers, and the published keys. */
export const LATEST_CHECKPOINT = graphql(`
  query LatestTrailCheckpoint {
    trailCheckpoints(first: 1) {
      nodes {
        treeSize rootHash keyId reason createdAt
        cosignatures { keyId signedAt by { id displayName email } }
      }
    }
    signingKeys {
      keys { purpose name keyId fingerprint status activatedAt }
    }
  }
`);
export type TrailCheckpointView = ResultOf<typeof LATEST_CHECKPOINT>['trailCheckpoints']['nodes'][number];
export type SigningKeyView = ResultOf<typeof LATEST_CHECKPOINT>['signingKeys']['keys'][number];

const BUNDLE = graphql(`
  fragment EvidenceBundleFields on EvidenceBundle @_unmask {
    id scope scopeId incidentId asOf status filesDone filesTotal bytesDone bytesTotal
    sha256 size fileName error requestedBy requestedAt finishedAt downloadPath
  }
`);
export type EvidenceBundleView = ResultOf<typeof BUNDLE>;

/** Auditors, executives, admins: an evidence bundle of an incident (as of now), built in the background. */
export const EXPORT_EVIDENCE_BUNDLE = graphql(
  `
  mutation ExportEvidenceBundle($input: ExportEvidenceBundleInput!) {
    exportEvidenceBundle(input: $input) { ...EvidenceBundleFields }
  }
`,
  [BUNDLE],
);

/** One export's progress (polled while it is QUEUED or BUILDING). */
export const EVIDENCE_BUNDLE = graphql(
  `
  query EvidenceBundle($id: ID!) {
    evidenceBundle(id: $id) { ...EvidenceBundleFields }
  }
`,
  [BUNDLE],
);

/** The latest exports, newest first. */
export const EVIDENCE_BUNDLES = graphql(
  `
  query EvidenceBundles($first: Int) {
    evidenceBundles(first: $first) { totalCount nodes { ...EvidenceBundleFields } }
  }
`,
  [BUNDLE],
);
