import { TaskForceLegalLead1795800000050 } from './1795800000050-TaskForceLegalLead';
import { BreachNotifications1795800000100 } from './1795800000100-BreachNotifications';
import type { MigrationInterface } from 'typeorm';
import { ProgressStatements1795800000200 } from './1795800000200-ProgressStatements';
import { CountermeasureKeyOrder1795700000100 } from './1795700000100-CountermeasureKeyOrder';
import { Hotline1795800000300 } from './1795800000300-Hotline';
import { BreachReportReminders1795800000900 } from './1795800000900-BreachReportReminders';
import { Sessions1795900000100 } from './1795900000100-Sessions';
import { TotpAndRecoveryCodes1795900000200 } from './1795900000200-TotpAndRecoveryCodes';
import { Passkeys1795900000300 } from './1795900000300-Passkeys';
import { SingleSignOn1795900000400 } from './1795900000400-SingleSignOn';
import { SignerProof1795900000500 } from './1795900000500-SignerProof';
import { AuditorAccessLimits1795900000600 } from './1795900000600-AuditorAccessLimits';
import { JobQueue1795900000700 } from './1795900000700-JobQueue';
import { BundleBuildLease1796100000100 } from './1796100000100-BundleBuildLease';
import { GateWebhookVersion1796200000100 } from './1796200000100-GateWebhookVersion';
import { LoginThrottle1796000000731 } from './1796000000731-LoginThrottle';
import { EvidenceBundles1795690000400 } from './1795690000400-EvidenceBundles';
import { TrailCheckpointCopies1795690000300 } from './1795690000300-TrailCheckpointCopies';
import { TrailCheckpoints1795690000200 } from './1795690000200-TrailCheckpoints';
import { SigningKeys1795690000100 } from './1795690000100-SigningKeys';
import { GateBlockersAsData1795680000200 } from './1795680000200-GateBlockersAsData';
import { CountermeasureParties1795680000100 } from './1795680000100-CountermeasureParties';
import { AuditorIndependentRoles1795670000400 } from './1795670000400-AuditorIndependentRoles';
import { GateDateRules1795670000300 } from './1795670000300-GateDateRules';
import { DashboardKeptState1795665461812 } from './1795665461812-DashboardKeptState';
import { NotificationEmailRetry1795665218812 } from './1795665218812-NotificationEmailRetry';
import { Notifications1795656704343 } from './1795656704343-Notifications';
import { ApiKeys1795653939048 } from './1795653939048-ApiKeys';
import { RequirementRiskAcceptance1795653934677 } from './1795653934677-RequirementRiskAcceptance';
import { GateWebhookDelivery1795653878009 } from './1795653878009-GateWebhookDelivery';
import { PromotionGate1795653573981 } from './1795653573981-PromotionGate';
import { ExternalAudit1795653040047 } from './1795653040047-ExternalAudit';
import { IncidentEntryRemoval1795652763172 } from './1795652763172-IncidentEntryRemoval';
import { EvidenceAndSignOff1795652399838 } from './1795652399838-EvidenceAndSignOff';
import { ForeignKeys1795646135029 } from './1795646135029-ForeignKeys';
import { PlanStructure1795644447971 } from './1795644447971-PlanStructure';
import { RemediationPlan1795642739055 } from './1795642739055-RemediationPlan';
import { AuditTrail1795642043146 } from './1795642043146-AuditTrail';
import { Init1795641196484 } from './1795641196484-Init';
/**
 * Every migration, in order. `npm run migration:generate -- <Name>` writes a
 * new file here and adds it to this list; a test checks that no file is left out.
 */
export const migrations: (new () => MigrationInterface)[] = [
  Init1795641196484,
  AuditTrail1795642043146,
  RemediationPlan1795642739055,
  PlanStructure1795644447971,
  ForeignKeys1795646135029,
  EvidenceAndSignOff1795652399838,
  IncidentEntryRemoval1795652763172,
  ExternalAudit1795653040047,
  PromotionGate1795653573981,
  GateWebhookDelivery1795653878009,
  RequirementRiskAcceptance1795653934677,
  ApiKeys1795653939048,
  Notifications1795656704343,
  NotificationEmailRetry1795665218812,
  DashboardKeptState1795665461812,
  GateDateRules1795670000300,
  AuditorIndependentRoles1795670000400,
  CountermeasureParties1795680000100,
  GateBlockersAsData1795680000200,
  SigningKeys1795690000100,
  TrailCheckpoints1795690000200,
  TrailCheckpointCopies1795690000300,
  EvidenceBundles1795690000400,
  CountermeasureKeyOrder1795700000100,
  TaskForceLegalLead1795800000050,
  BreachNotifications1795800000100,
  ProgressStatements1795800000200,
  Hotline1795800000300,
  BreachReportReminders1795800000900,
  Sessions1795900000100,
  TotpAndRecoveryCodes1795900000200,
  Passkeys1795900000300,
  SingleSignOn1795900000400,
  SignerProof1795900000500,
  AuditorAccessLimits1795900000600,
  JobQueue1795900000700,
  LoginThrottle1796000000731,
  BundleBuildLease1796100000100,
  GateWebhookVersion1796200000100,
];
