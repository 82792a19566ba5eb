import { parse, parseAllDocuments } from 'yaml';
import { toYaml, toYamlDocument, toYamlStream } from './index';

describe('toYaml', () => {
  it('sorts keys at every depth, so equal objects give equal bytes', () => {
    expect(toYaml({ b: 1, a: { d: 1, c: 2 } })).toBe('a:\n  c: 2\n  d: 1\nb: 1\n');
    expect(toYaml({ z: [{ y: 1, x: 2 }], a: 0 })).toBe(toYaml({ a: 0, z: [{ x: 2, y: 1 }] }));
  });

  it('never folds long strings (a folded health-check command once corrupted manifests)', () => {
    const long = `python -c "${'x'.repeat(300)}"`;
    const out = toYaml({ cmd: long });
    expect(out.split('\n').length).toBe(2);
    expect(parse(out).cmd).toBe(long);
  });

  it.each(['no', 'yes', 'on', 'off', 'y', 'n', 'NO', 'True', '0755', '1e3', '~', 'null'])('quotes %j so YAML 1.1 readers keep it a string', (value) => {
    const out = toYaml({ v: value });
    expect(out).toMatch(/^v: ["']/);
    expect(parse(out, { version: '1.1' }).v).toBe(value);
  });

  it('keeps ordinary strings plain', () => {
    expect(toYaml({ image: 'todo-backend:0123456789ab', restart: 'unless-stopped' })).toBe('image: todo-backend:0123456789ab\nrestart: unless-stopped\n');
  });

  it('writes shared sub-objects in full instead of YAML aliases', () => {
    const shared = { a: 1 };
    expect(toYaml({ x: shared, y: shared })).not.toContain('*');
  });
});

describe('streams and documents', () => {
  it('writes one document per object after a comment header', () => {
    const out = toYamlStream([{ kind: 'A' }, { kind: 'B' }], 'line one\nline two');
    expect(out.startsWith('# line one\n# line two\n---\n')).toBe(true);
    expect(parseAllDocuments(out).map((d) => d.toJS())).toEqual([{ kind: 'A' }, { kind: 'B' }]);
  });

  it('writes a single document with a header', () => {
    const out = toYamlDocument({ services: {} }, 'generated');
    expect(out).toBe('# generated\nservices: {}\n');
  });
});
