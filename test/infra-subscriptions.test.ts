// The subscriptions endpoint in the CDK stack: a throttled HTTP API in front of its function, the link key in
// Secrets Manager, read only by the functions that sign or check links, and least-privilege store access.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PREFIX } from '../functions/triggers.ts';
import { OFFLINE_ENV, buildApp } from '../infra/build.ts';
import type { HandlerName } from '../infra/functions.ts';
import { NewsdigestStack } from '../infra/stack.ts';

type Statement = { Action: string | string[]; Resource: unknown; Effect: string };

let outdir: string;
let app: App;
let main: NewsdigestStack;
let custom: NewsdigestStack;
let t: Template;
let tc: Template;

beforeAll(() => {
  outdir = mkdtempSync(path.join(tmpdir(), 'newsdigest-cdk-subs-'));
  ({ app, stack: main } = buildApp({ appProps: { outdir, context: { 'aws:cdk:bundling-stacks': [] } }, nag: false }));
  custom = new NewsdigestStack(app, 'Custom', { env: OFFLINE_ENV, config: { subscriptionsUrl: 'https://news.example.org/subscriptions/', kms: 'true' } });
  app.synth();
  t = Template.fromStack(main);
  tc = Template.fromStack(custom);
});
afterAll(() => rmSync(outdir, { recursive: true, force: true }));

const id = (s: NewsdigestStack, c: { node: { defaultChild?: unknown } }) => s.getLogicalId(c.node.defaultChild as never);
const fnId = (s: NewsdigestStack, name: HandlerName) => id(s, s.functions.get(name)!.fn);
const envOf = (tpl: Template, s: NewsdigestStack, name: HandlerName) => tpl.toJSON().Resources[fnId(s, name)].Properties.Environment.Variables as Record<string, unknown>;

function statements(tpl: Template, s: NewsdigestStack, name: HandlerName): Statement[] {
  const role = id(s, s.functions.get(name)!.fn.role as never);
  return Object.values(tpl.findResources('AWS::IAM::Policy'))
    .filter((p) => (p.Properties.Roles as Array<{ Ref: string }>).some((r) => r.Ref === role))
    .flatMap((p) => p.Properties.PolicyDocument.Statement as Statement[]);
}

describe('the subscriptions endpoint', () => {
  it('is an HTTP API whose $default stage is throttled and access-logged, routing everything to the function', () => {
    t.resourceCountIs('AWS::ApiGatewayV2::Api', 1);
    t.hasResourceProperties('AWS::ApiGatewayV2::Api', { ProtocolType: 'HTTP' });
    t.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: '$default',
      AutoDeploy: true,
      DefaultRouteSettings: { ThrottlingRateLimit: 20, ThrottlingBurstLimit: 40 },
      AccessLogSettings: { DestinationArn: Match.anyValue(), Format: Match.stringLikeRegexp('requestId') },
    });
    // The access log never records the query string (the links' tokens).
    const format = JSON.stringify(t.findResources('AWS::ApiGatewayV2::Stage'));
    expect(format).not.toMatch(/querystring|requestOverride|rawQueryString/i);
    t.hasResourceProperties('AWS::ApiGatewayV2::Route', { RouteKey: '$default' });
    t.hasResourceProperties('AWS::ApiGatewayV2::Integration', {
      IntegrationType: 'AWS_PROXY',
      PayloadFormatVersion: '2.0',
      IntegrationUri: { 'Fn::GetAtt': [fnId(main, 'subscriptions'), 'Arn'] },
    });
    t.hasResourceProperties('AWS::Lambda::Permission', { Action: 'lambda:InvokeFunction', Principal: 'apigateway.amazonaws.com', FunctionName: { 'Fn::GetAtt': [fnId(main, 'subscriptions'), 'Arn'] } });
  });

  it('generates the link key in Secrets Manager (never in the template) and lets only deliver and subscriptions read it', () => {
    t.resourceCountIs('AWS::SecretsManager::Secret', 1);
    const [secretId, secret] = Object.entries(t.findResources('AWS::SecretsManager::Secret'))[0]!;
    expect(secret.Properties.GenerateSecretString).toMatchObject({ PasswordLength: 64, ExcludePunctuation: true });
    expect(secret.Properties.SecretString).toBeUndefined();
    for (const name of main.functions.keys()) {
      const reads = statements(t, main, name).filter((s) => [s.Action].flat().includes('secretsmanager:GetSecretValue'));
      if (name === 'deliver' || name === 'subscriptions') {
        expect(reads, name).toHaveLength(1);
        expect(reads[0]!.Resource).toEqual({ Ref: secretId });
        expect(envOf(t, main, name)).toMatchObject({ TOKEN_KEY_SECRET_ARN: { Ref: secretId }, SUBSCRIPTIONS_URL: expect.anything() });
      } else {
        expect(reads, name).toHaveLength(0);
        expect(envOf(t, main, name).TOKEN_KEY_SECRET_ARN).toBeUndefined();
      }
    }
    // With kms=true the secret is encrypted with the stack's key.
    tc.hasResourceProperties('AWS::SecretsManager::Secret', { KmsKeyId: Match.anyValue() });
  });

  it('reads and writes only subscribers/ and limits/, and sends mail only as the sender', () => {
    const s3 = statements(t, main, 'subscriptions').filter((s) => [s.Action].flat().some((a) => a.startsWith('s3:')));
    const prefixes = (action: string) =>
      s3.filter((s) => [s.Action].flat().includes(action)).flatMap((s) => [s.Resource].flat().map((r) => JSON.stringify(r).match(/"\/([a-z]+\/)\*"/)?.[1] ?? '<bucket>')).sort();
    expect(prefixes('s3:GetObject')).toEqual([PREFIX.limits, PREFIX.subscribers]);
    expect(prefixes('s3:PutObject')).toEqual([PREFIX.limits, PREFIX.subscribers]);
    expect(prefixes('s3:DeleteObject')).toEqual([]);
    const send = statements(t, main, 'subscriptions').filter((s) => [s.Action].flat().some((a) => a.startsWith('ses:')));
    expect(send).toHaveLength(1);
    expect(JSON.stringify(send[0]!.Resource)).not.toContain('*');
  });

  it('points the email links at the API, or at the configured subscriptionsUrl', () => {
    const apiUrl = { 'Fn::GetAtt': [Match.stringLikeRegexp('^TriggersSubscriptionsHttpApi'), 'ApiEndpoint'] };
    t.hasResourceProperties('AWS::Lambda::Function', { Environment: { Variables: Match.objectLike({ SUBSCRIPTIONS_URL: apiUrl, MAILER: 'ses' }) } });
    expect(JSON.stringify(envOf(t, main, 'digest').UNSUBSCRIBE_URL)).toContain('/unsubscribe');
    expect(envOf(tc, custom, 'deliver').SUBSCRIPTIONS_URL).toBe('https://news.example.org/subscriptions');
    expect(envOf(tc, custom, 'digest').UNSUBSCRIBE_URL).toBe('https://news.example.org/subscriptions/unsubscribe');
  });
});
