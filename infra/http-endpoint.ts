// An HTTP-triggered handler's front door: an API Gateway HTTP API whose default stage is throttled and logs
// every request, routing everything to the function (payload 2.0, the shape the handler validates).
import { RemovalPolicy, Validations } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import { HttpApi, LogGroupLogDestination } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';

export interface HttpEndpointProps {
  fn: IFunction;
  handler: string;
  rateLimit: number;
  burstLimit: number;
  removalPolicy: RemovalPolicy;
}

export class HttpEndpoint extends Construct {
  readonly api: HttpApi;
  /** `https://<id>.execute-api.<region>.amazonaws.com` (a token until deploy). */
  readonly url: string;

  constructor(scope: Construct, id: string, props: HttpEndpointProps) {
    super(scope, id);
    const logs = new LogGroup(this, 'AccessLogs', { retention: RetentionDays.ONE_MONTH, removalPolicy: props.removalPolicy });
    this.api = new HttpApi(this, 'Api', {
      description: `newsdigest ${props.handler}: public pages`,
      defaultIntegration: new HttpLambdaIntegration('Integration', props.fn),
      createDefaultStage: false,
    });
    this.api.addStage('DefaultStage', {
      stageName: '$default',
      autoDeploy: true,
      throttle: { rateLimit: props.rateLimit, burstLimit: props.burstLimit },
      accessLogSettings: {
        destination: new LogGroupLogDestination(logs),
        // No query string: the links' tokens stay out of the logs.
        format: AccessLogFormat.custom(JSON.stringify({
          requestId: '$context.requestId', ip: '$context.identity.sourceIp', time: '$context.requestTime',
          method: '$context.httpMethod', path: '$context.path', status: '$context.status', latency: '$context.responseLatency',
        })),
      },
    });
    this.url = this.api.apiEndpoint;
    Validations.of(this.api).acknowledge(
      { id: 'AwsSolutions-APIG4', reason: 'Public subscription pages: anyone may subscribe; each state-changing link carries an HMAC token checked by the function.' },
    );
  }
}
