import { Transform } from 'class-transformer';
import { IsInt, Min } from 'class-validator';
import { toInt, type SettingsBase } from './conversions';

/**
 * Limits on what a caller can make the server do: the GraphQL limits, and how
 * many status reports and evidence uploads are served at once (README "Security").
 */
export function LimitSettings<TBase extends SettingsBase>(Base: TBase) {
  class LimitSettings extends Base {
    /**
     * GraphQL limits. Before parsing: the request body (GRAPHQL_MAX_BODY_BYTES,
     * else 413) and the document's tokens. Before execution: depth, aliases and
     * fields with fragments expanded, then the static cost (page sizes
     * multiplied through nesting) and each caller's cost budget per minute.
     * After execution: the answer's size.
     */
    @Transform(toInt)
    @IsInt()
    @Min(1024)
    GRAPHQL_MAX_BODY_BYTES = 102_400;

    @Transform(toInt)
    @IsInt()
    @Min(100)
    GRAPHQL_MAX_TOKENS = 2_000;

    @Transform(toInt)
    @IsInt()
    @Min(2)
    GRAPHQL_MAX_DEPTH = 12;

    @Transform(toInt)
    @IsInt()
    @Min(0)
    GRAPHQL_MAX_ALIASES = 30;

    @Transform(toInt)
    @IsInt()
    @Min(10)
    GRAPHQL_MAX_FIELDS = 2_000;

    @Transform(toInt)
    @IsInt()
    @Min(2)
    GRAPHQL_MAX_SAME_NAME = 10;

    @Transform(toInt)
    @IsInt()
    @Min(100)
    GRAPHQL_MAX_COST = 50_000;

    @Transform(toInt)
    @IsInt()
    @Min(100)
    GRAPHQL_COST_PER_MINUTE = 1_000_000;

    @Transform(toInt)
    @IsInt()
    @Min(1024)
    GRAPHQL_MAX_RESPONSE_BYTES = 8_388_608;

    /** Status reports rendered at once (CSV/PDF read the whole incident); a few more wait, beyond that SERVER_BUSY. */
    @Transform(toInt)
    @IsInt()
    @Min(1)
    REPORTS_MAX_CONCURRENT = 2;

    /** Evidence uploads received at once, and at once per user; beyond either, SERVER_BUSY (nothing read, nothing stored). */
    @Transform(toInt)
    @IsInt()
    @Min(1)
    EVIDENCE_MAX_CONCURRENT_UPLOADS = 4;

    @Transform(toInt)
    @IsInt()
    @Min(1)
    EVIDENCE_MAX_UPLOADS_PER_USER = 2;
  }
  return LimitSettings;
}
