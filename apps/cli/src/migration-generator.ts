import * as fs from 'node:fs';
import * as path from 'node:path';
import type { DataSource } from 'typeorm';

/**
 * What `typeorm migration:generate` does, on our own data source (which may be
 * the embedded server): diff the entities against the migrated schema and write
 * a reversible migration class, then add it to migrations/index.ts.
 */
export async function generateMigration(dataSource: DataSource, name: string, dir: string): Promise<string | undefined> {
  if (!/^[A-Z][A-Za-z0-9]*$/.test(name)) throw new Error('The migration name must be PascalCase, e.g. AddCountermeasures');
  const sql = await dataSource.driver.createSchemaBuilder().log();
  if (sql.upQueries.length === 0) return undefined;
  const timestamp = Date.now();
  const className = `${name}${timestamp}`;
  const q = (s: string) => '`' + s.replace(/\\/g, '\\\\').replace(/`/g, '\\`').replace(/\$\{/g, '\\${') + '`';
  const up = sql.upQueries.map(
    (x) => `    await queryRunner.query(${q(x.query)}${x.parameters?.length ? `, ${JSON.stringify(x.parameters)}` : ''});`,
  );
  const down = sql.downQueries
    .reverse()
    .map((x) => `    await queryRunner.query(${q(x.query)}${x.parameters?.length ? `, ${JSON.stringify(x.parameters)}` : ''});`);
  const file = path.join(dir, `${timestamp}-${name}.ts`);
  fs.writeFileSync(
    file,
    `import type { MigrationInterface, QueryRunner } from 'typeorm';

export class ${className} implements MigrationInterface {
  name = '${className}';

  public async up(queryRunner: QueryRunner): Promise<void> {
${up.join('\n')}
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
${down.join('\n')}
  }
}
`,
  );
  const index = path.join(dir, 'index.ts');
  let text = fs.readFileSync(index, 'utf8');
  text = `import { ${className} } from './${timestamp}-${name}';\n` + text;
  text = text.replace(/export const migrations: \(new \(\) => MigrationInterface\)\[\] = \[([\s\S]*?)\];/, (_m, list: string) => {
    const items = list
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    items.push(className);
    return `export const migrations: (new () => MigrationInterface)[] = [\n${items.map((i) => `  ${i},`).join('\n')}\n];`;
  });
  fs.writeFileSync(index, text);
  return file;
}
