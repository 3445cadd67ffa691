import {BillingScope} from '../../src/config/billing-scope';
import {ServicePrincipalAuth} from '../../src/http/auth';
import {HttpClient} from '../../src/http/client';
import {AdaptiveLimiter} from '../../src/http/limiter';
import {Logger} from '../../src/protocol/logger';
import {CostDetailsReader} from '../../src/readers/cost-details';

const ACCOUNT = '0a1b2c3d-0000-4000-8000-000000000001:0a1b2c3d-0000-4000-8000-000000000002_2019-05-31';

// The reader only keeps its collaborators until a request is made: the URL needs none of them.
function reader(scope: BillingScope, base = 'https://management.azure.com'): CostDetailsReader {
  return new CostDetailsReader({} as HttpClient, {} as ServicePrincipalAuth, {apiBaseUrl: base, scope, maxReportWaitMs: 1, maxReportAttempts: 1}, {} as Logger, {} as AdaptiveLimiter);
}

describe('the Cost Details report URL is built from the billing scope (docs/design.md §1, §2)', () => {
  test.each([
    [{type: 'ea_enrollment', enrollmentNumber: '12345678'}, '/providers/Microsoft.Billing/billingAccounts/12345678'],
    [{type: 'ea_department', enrollmentNumber: '12345678', departmentId: '4711'}, '/providers/Microsoft.Billing/billingAccounts/12345678/departments/4711'],
    [{type: 'mca_billing_account', billingAccountId: ACCOUNT}, `/providers/Microsoft.Billing/billingAccounts/${ACCOUNT.replace(':', '%3A')}`],
    [{type: 'mca_billing_profile', billingAccountId: ACCOUNT, billingProfileId: 'AB12-CD34-EF5-GH6'}, `/providers/Microsoft.Billing/billingAccounts/${ACCOUNT.replace(':', '%3A')}/billingProfiles/AB12-CD34-EF5-GH6`],
    [{type: 'mca_invoice_section', billingAccountId: ACCOUNT, billingProfileId: 'AB12-CD34-EF5-GH6', invoiceSectionId: 'WX34-YZ56-PJA-PGB'}, `/providers/Microsoft.Billing/billingAccounts/${ACCOUNT.replace(':', '%3A')}/billingProfiles/AB12-CD34-EF5-GH6/invoiceSections/WX34-YZ56-PJA-PGB`],
    [{type: 'subscription', subscriptionId: '11111111-2222-4333-8444-555555555555'}, '/subscriptions/11111111-2222-4333-8444-555555555555'],
  ] as [BillingScope, string][])('%j', (scope, path) => {
    expect(reader(scope).reportUrl).toBe(`https://management.azure.com${path}/providers/Microsoft.CostManagement/generateCostDetailsReport?api-version=2023-11-01`);
  });

  test('a base URL with a path prefix keeps it', () => {
    expect(reader({type: 'subscription', subscriptionId: '11111111-2222-4333-8444-555555555555'}, 'http://127.0.0.1:9/prefix/').reportUrl)
      .toBe('http://127.0.0.1:9/prefix/subscriptions/11111111-2222-4333-8444-555555555555/providers/Microsoft.CostManagement/generateCostDetailsReport?api-version=2023-11-01');
  });
});
