import { Role } from '@app/identity';

/**
 * One user per part of the case (../shared/CASE.md): the admin, the president
 * who chairs the task force, four task-force leads, and the two external
 * auditors of the security firm. Names are invented; the roles are the case's.
 */
export interface DemoUser {
  email: string;
  displayName: string;
  displayNameKana: string;
  roles: Role[];
  /** What this person does in the case, shown at start-up. */
  part: string;
}

export const DEMO_USERS: readonly DemoUser[] = [
  {
    email: 'admin@example.com',
    displayName: 'システム管理者',
    displayNameKana: 'しすてむかんりしゃ',
    roles: [Role.ADMIN],
    part: 'administrator',
  },
  {
    email: 'president@example.com',
    displayName: '佐藤 一郎',
    displayNameKana: 'さとう いちろう',
    roles: [Role.EXECUTIVE],
    part: 'president, chief of the task force (最高責任者)',
  },
  {
    email: 'security.lead@example.com',
    displayName: '鈴木 花子',
    displayNameKana: 'すずき はなこ',
    roles: [Role.TASK_FORCE],
    part: 'task force: information-security lead',
  },
  {
    email: 'systems.lead@example.com',
    displayName: '高橋 健',
    displayNameKana: 'たかはし けん',
    roles: [Role.TASK_FORCE],
    part: 'task force: systems-operation lead',
  },
  {
    email: 'cs.lead@example.com',
    displayName: '田中 美咲',
    displayNameKana: 'たなか みさき',
    roles: [Role.TASK_FORCE],
    part: 'task force: customer-support lead',
  },
  {
    email: 'legal.lead@example.com',
    displayName: '小林 直樹',
    displayNameKana: 'こばやし なおき',
    roles: [Role.TASK_FORCE],
    part: 'task force: legal and compliance lead',
  },
  {
    email: 'auditor@example.com',
    displayName: '伊藤 誠',
    displayNameKana: 'いとう まこと',
    roles: [Role.AUDITOR],
    part: 'lead auditor of the security firm (外部監査)',
  },
  {
    email: 'auditor2@example.com',
    displayName: '渡辺 由美',
    displayNameKana: 'わたなべ ゆみ',
    roles: [Role.AUDITOR],
    part: 'auditor of the security firm',
  },
];
