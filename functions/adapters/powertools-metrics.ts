// The pipeline's metrics port backed by Powertools Metrics: CloudWatch embedded metric format (EMF), one blob per
// dimension set and invocation, the `service` dimension on every metric.
import { Metrics as PowertoolsMetrics } from '@aws-lambda-powertools/metrics';
import { METRICS, REASON_DIMENSION, type MetricName, type Metrics } from '../core/telemetry.ts';

export interface MetricsOptions {
  namespace: string;
  serviceName: string;
  /**
   * Unset: each blob is published as Powertools does in Lambda (a line on stdout, which CloudWatch turns into
   * metrics). Given: each blob is handed to it instead (locally: a debug log line), and nothing reaches stdout.
   */
  emit?: ((emf: object) => void) | undefined;
}

export function createPipelineMetrics(options: MetricsOptions): Metrics {
  const metrics = new PowertoolsMetrics({ namespace: options.namespace, serviceName: options.serviceName });
  // Values since the last flush, by rejection reason ('': the service alone): one EMF blob applies one dimension
  // set to all its metrics, so a reason's count goes in a blob of its own. Counts are summed as they come.
  let pending = new Map<string, Map<MetricName, number[]>>();

  const publish = () => {
    if (!options.emit) {
      metrics.publishStoredMetrics();
      return;
    }
    options.emit(metrics.serializeMetrics());
    metrics.clearMetrics();
    metrics.clearDimensions();
  };

  return {
    add({ name, value, dimensions }) {
      const key = dimensions?.[REASON_DIMENSION] ?? '';
      let group = pending.get(key);
      if (!group) pending.set(key, (group = new Map()));
      const values = group.get(name);
      if (!values) group.set(name, [value]);
      else if (METRICS[name] === 'Count') values[0]! += value;
      else values.push(value);
    },
    flush() {
      const groups = pending;
      pending = new Map();
      for (const [reason, group] of groups) {
        if (reason) metrics.addDimension(REASON_DIMENSION, reason);
        for (const [name, values] of group) for (const v of values) metrics.addMetric(name, METRICS[name], v);
        publish();
      }
    },
  };
}
