import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { AppConfig } from '@app/common';
import { migrations } from '@app/migrations';

const root = path.resolve(__dirname, '..');

describe('what the repository promises its operators', () => {
  it('.env.example lists every setting the server reads, and nothing else', () => {
    const documented = fs
      .readFileSync(path.join(root, '.env.example'), 'utf8')
      .split('\n')
      .filter((l) => /^[A-Z][A-Z0-9_]*=/.test(l))
      .map((l) => l.split('=')[0])
      .sort();
    const read = [...Object.keys(new AppConfig()), 'DATABASE_URL', 'JWT_SECRET', 'ADMIN_EMAIL', 'ADMIN_PASSWORD'];
    expect(documented).toEqual([...new Set(read)].sort());
  });

  it('every migration file is registered in migrations/index.ts, in file-name order', () => {
    const files = fs
      .readdirSync(path.join(root, 'migrations'))
      .filter((f) => /^\d+-.+\.ts$/.test(f))
      .sort();
    expect(files.length).toBeGreaterThan(0);
    const classes = migrations.map((m) => (m as { name: string }).name);
    expect(classes).toEqual(files.map((f) => f.replace(/^(\d+)-(.+)\.ts$/, '$2$1')));
  });

  it('the server never synchronizes the schema from entities', () => {
    const hits: string[] = [];
    const walk = (dir: string) => {
      for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
        const p = path.join(dir, e.name);
        if (e.isDirectory()) walk(p);
        else if (p.endsWith('.ts') && /synchronize:\s*true/.test(fs.readFileSync(p, 'utf8'))) hits.push(p);
      }
    };
    for (const d of ['apps', 'libs']) walk(path.join(root, d));
    expect(hits).toEqual([]);
  });
});
