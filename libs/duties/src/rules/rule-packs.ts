import * as fs from 'node:fs';
import * as path from 'node:path';
import { Injectable } from '@nestjs/common';
import { packInEffect, parseRulePack, RulePackInvalid, type RulePack } from './rule-pack';

/** Where the packs are kept: libs/duties/rule-packs/ of the checkout, found upward from this file (source or dist/). */
export function rulePackDir(from: string = __dirname): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'libs', 'duties', 'rule-packs');
    if (fs.existsSync(candidate)) return candidate;
    if (path.dirname(dir) === dir) throw new Error(`No libs/duties/rule-packs/ above ${from}`);
  }
}

/** Reads and checks every pack of a folder (one JSON file each, named <id>.json). */
export function readRulePacks(dir: string): RulePack[] {
  const files = fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort();
  const packs = files.map((file) => {
    let raw: unknown;
    try {
      raw = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8'));
    } catch (e) {
      throw new RulePackInvalid(file, '(file)', `is not JSON: ${(e as Error).message}`);
    }
    const pack = parseRulePack(raw, file);
    if (`${pack.id}.json` !== file) throw new RulePackInvalid(file, 'id', `must match the file's name (${pack.id}.json)`);
    return pack;
  });
  if (packs.length === 0) throw new Error(`No rule pack in ${dir}`);
  const days = new Set(packs.map((p) => p.effectiveFrom));
  if (days.size !== packs.length) throw new Error(`Two rule packs in ${dir} take effect on the same day`);
  return packs;
}

/**
 * The rule packs, read and checked once at start (a wrong pack stops the process with the file and field named).
 * A breach is judged by the pack in effect on the day the company knew of it; the record keeps that pack's id.
 */
@Injectable()
export class RulePacks {
  private readonly packs: readonly RulePack[] = readRulePacks(rulePackDir());

  all(): readonly RulePack[] {
    return this.packs;
  }

  byId(id: string): RulePack {
    const pack = this.packs.find((p) => p.id === id);
    if (!pack) throw new Error(`Rule pack ${id} is not installed (a record names it: restore libs/duties/rule-packs/${id}.json)`);
    return pack;
  }

  /** The pack in effect on `day` (YYYY-MM-DD); null before the first one (the law's older text is not modelled). */
  inEffectOn(day: string): RulePack | null {
    return packInEffect(this.packs, day);
  }
}
