import type { ImportEntry } from './report';
import { parseVolume } from './compose-parse';

type Obj = Record<string, any>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The data directory of the official postgres image (and the images built on it), and where the import puts the cluster. */
const DATA = '/var/lib/postgresql/data';
export const PGDATA = `${DATA}/pgdata`;
/** Images whose entrypoint is the official postgres one (it reads PGDATA): postgres itself and the common derivatives. */
const POSTGRES_IMAGE = /(^|\/)(postgres|postgis|timescaledb(-ha)?|pgvector|pgvecto-rs)(:|@|$)/;

/**
 * Postgres data on a fresh claim. A postgres service with a volume at /var/lib/postgresql/data gets,
 * on Kubernetes, a new PersistentVolumeClaim whose root holds lost+found on many storage classes,
 * and initdb refuses a directory that is not empty, so the pod never starts. When PGDATA is not set
 * (in environment, env_file or as a secret), the import sets PGDATA=/var/lib/postgresql/data/pgdata,
 * as the todo stack does, with a line at services.<name>.environment.PGDATA: compose keeps working
 * (the cluster lives one directory down in the same volume). Mutates the services.
 */
export function fitPostgresData(services: Obj[], doc: Obj, report: ImportEntry[], composeName: (specName: string) => string): void {
  for (const s of services) {
    const ref: string = s.image?.ref ?? '';
    if (s.job || !POSTGRES_IMAGE.test(ref.toLowerCase())) continue;
    const volume = ((s.volumes ?? []) as Obj[]).find((v) => v.mountPath.replace(/\/+$/, '') === DATA);
    if (!volume || s.env?.PGDATA !== undefined || s.secrets?.PGDATA !== undefined) continue;
    const name = composeName(s.name);
    const c: Obj = isObj(doc.services?.[name]) ? doc.services[name] : {};
    const i = (Array.isArray(c.volumes) ? c.volumes : []).findIndex((raw: unknown) => {
      const parsed = parseVolume(raw);
      return typeof parsed !== 'string' && parsed.target.replace(/\/+$/, '') === DATA;
    });
    s.env = { ...(s.env ?? {}), PGDATA };
    report.push({
      path: `services.${name}.environment.PGDATA`,
      status: 'decision',
      message: `not set in compose; imported as ${PGDATA}: on Kubernetes, volume "${volume.name}"${i >= 0 ? ` (services.${name}.volumes[${i}])` : ''} is a fresh claim whose root holds lost+found on many storage classes, and postgres's initdb refuses a directory that is not empty, so the data lives one directory down. Compose keeps working (a new volume is initialised there); data already at the root of an existing volume is not seen: move it into pgdata/, or remove PGDATA if the claim's root is empty on your storage class`,
    });
  }
}
