import type { CaseRecord } from '../aicc/schemas.js';
import { isMalformedDate } from './cases.js';

/**
 * Cases whose `dueDate` or `closedDate` is not a real `YYYY-MM-DD HH:mm:ss`: such a due date is
 * treated as absent, such a closed date still closes the case — and the run says how many there were
 * (SPEC §6), never silently. Each case is counted once however many scans return it; only the ids of
 * such cases are kept.
 */
export class DateQuality {
  private readonly due = new Set<string>();
  private readonly closed = new Set<string>();
  private anonymousDue = 0;
  private anonymousClosed = 0;

  note(c: CaseRecord): void {
    if (isMalformedDate(c.dueDate)) {
      if (c.id) this.due.add(c.id);
      else this.anonymousDue++;
    }
    if (isMalformedDate(c.closedDate)) {
      if (c.id) this.closed.add(c.id);
      else this.anonymousClosed++;
    }
  }

  warnings(): string[] {
    const out: string[] = [];
    const due = this.due.size + this.anonymousDue;
    const closed = this.closed.size + this.anonymousClosed;
    if (due > 0)
      out.push(
        `${due} case${due === 1 ? ' has a dueDate' : 's have a dueDate'} that is not a valid ` +
          'YYYY-MM-DD HH:mm:ss date: treated as having no due date (never overdue, due soon, warned or in due-date attainment).',
      );
    if (closed > 0)
      out.push(
        `${closed} case${closed === 1 ? ' has a closedDate' : 's have a closedDate'} that is not a valid ` +
          'YYYY-MM-DD HH:mm:ss date: counted as closed, with due-date attainment unknown.',
      );
    return out;
  }
}
