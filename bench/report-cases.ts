// The calls bench/report-plans.ts measures: what each request of /reports and /user-reports asks the services.
import type { Deps } from '../src/deps.ts';
import { DEFAULT_PAGE } from '../src/schemas/pagination.ts';
import { buildAdminReport } from '../src/services/reports/admin-report.ts';
import { lotPages } from '../src/services/reports/lot-table.ts';
import { buildUserReport, historyPages, RECENT } from '../src/services/reports/user-report.ts';

export interface Case {
  name: string;
  run: (deps: Deps) => Promise<unknown>;
}

export interface CaseData {
  heavyUserId: number;
  typicalUserId: number;
  /** A lot id near the end of the table, for a page far from the first. */
  lateLotId: number;
  /** A reservation id of the heavy user's in the middle of their history. */
  middleReservationId: number;
}

async function drain(pages: AsyncIterable<unknown[]>): Promise<number> {
  let rows = 0;
  for await (const page of pages) rows += page.length;
  return rows;
}

export function cases(data: CaseData): Case[] {
  return [
    { name: 'GET /reports', run: (deps) => buildAdminReport(deps, [], { limit: DEFAULT_PAGE, after: 0 }) },
    { name: 'GET /reports?limit=500&cursor=(a late page)', run: (deps) => buildAdminReport(deps, [], { limit: 500, after: data.lateLotId }) },
    { name: 'GET /reports?format=csv (every page)', run: (deps) => drain(lotPages(deps)) },
    { name: `GET /user-reports (heavy user ${data.heavyUserId})`, run: (deps) => buildUserReport(deps, data.heavyUserId, { limit: RECENT, before: null }) },
    {
      name: 'GET /user-reports?limit=500&cursor=(the middle of the heavy history)',
      run: (deps) => buildUserReport(deps, data.heavyUserId, { limit: 500, before: data.middleReservationId }),
    },
    { name: `GET /user-reports (typical user ${data.typicalUserId})`, run: (deps) => buildUserReport(deps, data.typicalUserId, { limit: RECENT, before: null }) },
    { name: 'GET /user-reports?format=csv (heavy user, every page)', run: (deps) => drain(historyPages(deps, data.heavyUserId)) },
  ];
}
