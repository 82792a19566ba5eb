import { BACKEND, api, messages, withChange, withExtra } from './__fixtures__/harness';
import { configMapSecrets } from './rules/configmap-secrets';
import { envSecretRef } from './rules/env-secret-ref';
import { noSecretObjects } from './rules/no-secret-objects';

const B = 'backend.yaml: Deployment/todo/backend spec.template.spec.containers[0]';
// Built at run time so the fixture itself never looks like a leaked key.
const FAKE_OPENAI_KEY = 'sk-' + 'x'.repeat(24);

describe('env secrets', () => {
  it('rejects a literal value or configMapKeyRef for a secret-looking name', () => {
    const objs = withChange(BACKEND, (d) => {
      api(d).env[1] = { name: 'OPENAI_API_KEY', value: 'abc' };
      api(d).env[2] = { name: 'DATABASE_URL', valueFrom: { configMapKeyRef: { name: 'c', key: 'url' } } };
    });
    expect(messages(envSecretRef, objs)).toEqual([
      `${B}.env[1]: container "api" sets OPENAI_API_KEY from a literal value; fix: use valueFrom.secretKeyRef`,
      `${B}.env[2]: container "api" sets DATABASE_URL from a non-Secret source; fix: use valueFrom.secretKeyRef`,
    ]);
  });

  it('rejects credentials in the value of an innocent-looking name, accepts *_FILE paths', () => {
    const objs = withChange(BACKEND, (d) => api(d).env.push(
      { name: 'UPSTREAM', value: 'https://bob:hunter2@example.com' },
      { name: 'LLM', value: FAKE_OPENAI_KEY },
      { name: 'POSTGRES_PASSWORD_FILE', value: '/run/secrets/db' },
      { name: 'UPSTREAM_REF', value: 'postgresql://todo:$(DB_PASSWORD)@postgres/todo' },
    ));
    expect(messages(envSecretRef, objs)).toEqual([
      `${B}.env[3].value: container "api" env UPSTREAM holds a URL with an embedded password; fix: move it to a Secret and use valueFrom.secretKeyRef`,
      `${B}.env[4].value: container "api" env LLM holds an OpenAI-style API key; fix: move it to a Secret and use valueFrom.secretKeyRef`,
    ]);
  });

  it('accepts a secret-looking name whose value only names a file, not a token that starts with "/"', () => {
    const objs = withChange(BACKEND, (d) => api(d).env.push(
      { name: 'SSL_KEY', value: '/run/secrets/key.pem' },
      { name: 'GOOGLE_APPLICATION_CREDENTIALS', value: '/etc/gcp/credentials.json' },
      { name: 'SECRET_KEY', value: '/K8sd9fQ2mZ/aXb7Lq0' },
    ));
    expect(messages(envSecretRef, objs)).toEqual([`${B}.env[5]: container "api" sets SECRET_KEY from a literal value; fix: use valueFrom.secretKeyRef`]);
    const cm = withChange('ConfigMap/todo/backend-config', (d) => Object.assign(d.data, { SSL_KEY: '/run/secrets/key.pem', TLS_KEY: 'inline' }));
    expect(messages(configMapSecrets, cm)).toEqual([expect.stringContaining('data.TLS_KEY: key looks like a secret')]);
  });
});

describe('ConfigMaps', () => {
  it('reject secret-looking keys and values', () => {
    const objs = withChange('ConfigMap/todo/backend-config', (d) => Object.assign(d.data, {
      dbPassword: 'x',
      DB_HOST_URL: 'postgresql://todo:todo@postgres:5432/todo',
    }));
    expect(messages(configMapSecrets, objs)).toEqual([
      'backend.yaml: ConfigMap/todo/backend-config data.dbPassword: key looks like a secret; fix: move it to a Secret and reference it with secretKeyRef',
      'backend.yaml: ConfigMap/todo/backend-config data.DB_HOST_URL: value holds a URL with an embedded password; fix: move it to a Secret and reference it with secretKeyRef',
    ]);
  });
});

describe('Secret objects', () => {
  it('rejects a Secret carrying data, accepts an empty one', () => {
    const withData = 'apiVersion: v1\nkind: Secret\nmetadata: { name: todo-db, namespace: todo }\nstringData: { password: x }\n';
    expect(messages(noSecretObjects, withExtra('secret.yaml', withData))).toEqual([
      'secret.yaml: Secret/todo/todo-db stringData: generated output carries secret values; fix: create the Secret out of band (kubectl create secret, External Secrets) and keep only its name in the spec',
    ]);
    const empty = 'apiVersion: v1\nkind: Secret\nmetadata: { name: todo-db, namespace: todo }\n';
    expect(messages(noSecretObjects, withExtra('secret.yaml', empty))).toEqual([]);
  });
});
