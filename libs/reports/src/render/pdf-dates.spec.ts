import { describe, expect, it } from 'vitest';
import { sampleCountermeasure, sampleStatusReport } from '../testing/sample-status-report';
import { layoutStatusReport, type Measure, type TextOp } from './pdf-layout';

const measure: Measure = (text, _font, size) => [...text].reduce((w, ch) => w + (ch.codePointAt(0)! > 0x2e7f ? size : size * 0.5), 0);
const allText = (report: ReturnType<typeof sampleStatusReport>) =>
  layoutStatusReport(report, measure)
    .pages.flatMap((p) => p.ops.filter((o): o is TextOp => o.kind === 'text'))
    .map((o) => o.text)
    .join('\n');

/**
 * The report is read in Japan: a date printed for a person is the day in
 * Asia/Tokyo. A sign-off at 08:30 JST (23:30 UTC the day before) is that
 * morning's, not the previous day's.
 */
describe('dates in the PDF are Japanese dates', () => {
  it('prints a sign-off at 2026-10-01T23:30Z (08:30 JST) as 2026-10-02', () => {
    const text = allText(
      sampleStatusReport({
        countermeasures: [
          sampleCountermeasure(1, {
            status: 'VERIFIED',
            signOff: { digest: 'b'.repeat(64), signedAt: '2026-10-01T23:30:00.000Z', auditor: 'auditor@example.com' },
          }),
        ],
      }),
    );
    expect(text).toContain('2026-10-02');
    expect(text).not.toContain('2026-10-01');
  });

  it('prints the clearance and the gate’s last change on the Japanese wall clock', () => {
    const base = sampleStatusReport();
    const text = allText(
      sampleStatusReport({
        audit: {
          ...base.audit,
          engagements: [
            {
              ...base.audit.engagements[0]!,
              clearance: { digest: 'c'.repeat(64), clearedAt: '2026-10-01T23:30:00.000Z', clearedBy: '鈴木 監査' },
            },
          ],
        },
        gates: [{ ...base.gates[0]!, since: '2026-10-01T22:15:00.000Z' }],
      }),
    );
    expect(text).toContain('2026-10-02 08:30 JST');
    expect(text).toContain('2026-10-02 07:15 JST');
    expect(text).not.toContain('2026-10-01');
  });
});
