import type { ResolvedProbe } from '@todo/service-spec';
import { Duration } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { kubeletLiteral } from './kubelet-literal';

/** A spec probe as a cdk8s-plus probe; ports are the numbers the spec's port names resolve to. */
export function toProbe(p: ResolvedProbe | undefined): kplus.Probe | undefined {
  if (!p) return undefined;
  const opts = {
    periodSeconds: Duration.seconds(p.periodSeconds),
    timeoutSeconds: Duration.seconds(p.timeoutSeconds),
    failureThreshold: p.failureThreshold,
    initialDelaySeconds: Duration.seconds(p.initialDelaySeconds),
  };
  if (p.http) return kplus.Probe.fromHttpGet(p.http.path, { ...opts, port: p.http.portNumber });
  if (p.tcp) return kplus.Probe.fromTcpSocket({ ...opts, port: p.tcp.portNumber });
  return kplus.Probe.fromCommand(p.exec!.command.map(kubeletLiteral), opts);
}
