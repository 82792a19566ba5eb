// NetworkPolicy as written, turned into iptables rules inside one pod's network namespace.
// A pod selected by a policy with Ingress (Egress) in policyTypes is isolated in that
// direction; what the selecting policies allow is the union of their rules. Traffic to and
// from the node (probes, port-forward) is always allowed, as the Kubernetes docs state.
// Denied packets are rejected (TCP reset / ICMP) rather than dropped so a test sees the
// denial at once; on a cluster most network plugins drop, which a client sees as a timeout.
import { matches, type K8sObject } from './manifests';

export interface PeerPod {
  namespace: string;
  name: string;
  labels: Record<string, string>;
  ip: string;
  ports: { name?: string; containerPort: number; protocol?: string }[];
}

export interface NetState {
  namespaces: Record<string, Record<string, string>>;
  pods: PeerPod[];
  policies: K8sObject[];
  nodeIp: string;
}

const CHAIN = { Ingress: 'K8S-POLICY-IN', Egress: 'K8S-POLICY-OUT' } as const;

function peers(peer: any, policyNs: string, state: NetState): { ips: PeerPod[] } | { cidr: string; except: string[] } {
  if (peer.ipBlock) return { cidr: peer.ipBlock.cidr, except: peer.ipBlock.except ?? [] };
  const nsOk = (ns: string) => (peer.namespaceSelector ? matches(peer.namespaceSelector, state.namespaces[ns] ?? {}) : ns === policyNs);
  return { ips: state.pods.filter((p) => nsOk(p.namespace) && (!peer.podSelector || matches(peer.podSelector, p.labels))) };
}

/** Resolves a policy port (number or container-port name) on the pod that receives the packet. */
function portsOn(port: any, target: PeerPod | undefined): { proto: string; dport?: string }[] {
  const proto = (port?.protocol ?? 'TCP').toLowerCase();
  if (port?.port === undefined) return [{ proto }];
  if (typeof port.port === 'number') return [{ proto, dport: port.endPort ? `${port.port}:${port.endPort}` : String(port.port) }];
  const named = target?.ports.filter((p) => p.name === port.port && (p.protocol ?? 'TCP').toLowerCase() === proto) ?? [];
  return named.map((p) => ({ proto, dport: String(p.containerPort) }));
}

export function rulesFor(pod: PeerPod, state: NetState): string {
  const decl: string[] = [];
  const lines: string[] = [];
  let sub = 0;
  for (const dir of ['Ingress', 'Egress'] as const) {
    const chain = CHAIN[dir];
    const addr = dir === 'Ingress' ? '-s' : '-d';
    decl.push(`:${chain} - [0:0]`);
    lines.push(`-F ${chain}`);
    lines.push(`-A ${chain} ${dir === 'Ingress' ? '-i' : '-o'} lo -j ACCEPT`);
    lines.push(`-A ${chain} -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT`);
    lines.push(`-A ${chain} ${addr} ${state.nodeIp}/32 -j ACCEPT`);
    const selecting = state.policies.filter((p) => p.metadata.namespace === pod.namespace && matches(p.spec.podSelector, pod.labels) && policyTypes(p).includes(dir));
    if (!selecting.length) {
      lines.push(`-A ${chain} -j ACCEPT`);
      continue;
    }
    for (const policy of selecting) {
      for (const rule of (dir === 'Ingress' ? policy.spec.ingress : policy.spec.egress) ?? []) {
        // An empty or missing from/to matches every peer (the API reference says both).
        const written = dir === 'Ingress' ? rule.from : rule.to;
        const list = written?.length ? written : [{ ipBlock: { cidr: '0.0.0.0/0' } }];
        const ports = rule.ports?.length ? rule.ports : [undefined];
        for (const peer of list) {
          const p = peers(peer, policy.metadata.namespace!, state);
          for (const port of ports) {
            if ('cidr' in p) {
              const target = dir === 'Ingress' ? pod : undefined;
              if (dir === 'Egress' && typeof port?.port === 'string') throw new Error(`unsupported: NetworkPolicy ${policy.metadata.name}: named port ${port.port} towards an ipBlock`);
              const name = `K8S-IPBLOCK-${dir === 'Ingress' ? 'I' : 'E'}${sub++}`;
              decl.push(`:${name} - [0:0]`);
              lines.push(`-F ${name}`);
              for (const ex of p.except) lines.push(`-A ${name} ${addr} ${ex} -j RETURN`);
              lines.push(`-A ${name} -j ACCEPT`);
              for (const pp of portsOn(port, target)) lines.push(`-A ${chain} ${addr} ${p.cidr} -p ${pp.proto}${pp.dport ? ` --dport ${pp.dport}` : ''} -j ${name}`);
            } else {
              for (const peerPod of p.ips) {
                for (const pp of portsOn(port, dir === 'Ingress' ? pod : peerPod)) lines.push(`-A ${chain} ${addr} ${peerPod.ip}/32 -p ${pp.proto}${pp.dport ? ` --dport ${pp.dport}` : ''} -j ACCEPT`);
              }
            }
          }
        }
      }
    }
    lines.push(`-A ${chain} -p tcp -j REJECT --reject-with tcp-reset`, `-A ${chain} -j REJECT`);
  }
  return ['*filter', ...decl, ...lines, 'COMMIT', ''].join('\n');
}

export function policyTypes(p: K8sObject): string[] {
  if (p.spec.policyTypes?.length) return p.spec.policyTypes;
  return p.spec.egress ? ['Ingress', 'Egress'] : ['Ingress'];
}

/** Hooks the policy chains into INPUT/OUTPUT once per pod network namespace. */
export const HOOKS = ['-I INPUT 1 -j K8S-POLICY-IN', '-I OUTPUT 1 -j K8S-POLICY-OUT'];
