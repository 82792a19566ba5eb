/**
 * What a corpus fixture's decisions.ts holds: the user's answers to the "Needs a decision" lines
 * of the import report, as edits of the imported spec (see import-corpus.test.ts).
 */
type Obj = Record<string, any>;

export interface Answer {
  /** The path of the "Needs a decision" line this answers; the report must ask it. */
  readonly path: string;
  /** What the user changes in the imported spec (the spec as parsed YAML). */
  readonly apply: (spec: Obj) => void;
}

/** The spec's service by name; throws when the import did not make it. */
export function service(spec: Obj, name: string): Obj {
  const s = (spec.services as Obj[]).find((x) => x.name === name);
  if (!s) throw new Error(`the imported spec has no service "${name}"`);
  return s;
}

/** Pin a floating image tag. */
export const pin = (name: string, ref: string): Answer => ({ path: `services.${name}.image`, apply: (spec) => (service(spec, name).image = { ref }) });

/** Give a service that others reach the port it listens on, and open the path from the one that names it. */
export const reach = (path: string, from: string, to: string, port: { name: string; port: number }): Answer => ({
  path,
  apply: (spec) => {
    const target = service(spec, to);
    if (!(target.ports ?? []).some((p: Obj) => p.port === port.port)) target.ports = [...(target.ports ?? []), port];
    const source = service(spec, from);
    source.talksTo = [...new Set([...(source.talksTo ?? []), to])].sort();
  },
});

/** Set the uid:gid the image runs as. */
export const user = (name: string, uid: number, gid = uid): Answer => ({ path: `services.${name}.user`, apply: (spec) => (service(spec, name).user = { uid, gid }) });

/** A database the import could not see a port for ("looks like a database but declares no port"): its role and port. */
export const database = (name: string, port: { name: string; port: number }, specName = name): Answer => ({
  path: `services.${name}`,
  apply: (spec) => {
    const s = service(spec, specName);
    s.role = 'database';
    if (!(s.ports ?? []).some((p: Obj) => p.port === port.port)) s.ports = [...(s.ports ?? []), port];
  },
});

/**
 * The port of a service others reach or wait for but whose port the import could not find
 * (the "services.<name>.expose" decision: "declares no port and none is named where it is reached").
 */
export const port = (name: string, p: { name: string; port: number }, specName = name): Answer => ({
  path: `services.${name}.expose`,
  apply: (spec) => {
    const s = service(spec, specName);
    if (!(s.ports ?? []).some((x: Obj) => x.port === p.port)) s.ports = [...(s.ports ?? []), p];
  },
});
