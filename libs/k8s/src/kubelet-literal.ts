/**
 * The kubelet expands `$(VAR)` in a container's command, args and env values, and in
 * exec probe commands, and reduces `$$` to `$` ("Double $$ are reduced to a single $,
 * which allows for escaping the $(VAR_NAME) syntax", core/v1 Container.args). Doubling
 * every `$` that a `$` or `(` follows makes the kubelet hand the process the spec's
 * text, as compose does with its own `$$` escape: `$(PORT)` stays `$(PORT)` and
 * `$$(PORT)` stays `$$(PORT)` on both targets. Plain env travels in a ConfigMap
 * (envFrom), which the kubelet does not expand.
 */
export function kubeletLiteral(value: string): string {
  return value.replace(/\$(?=[$(])/g, '$$$$');
}
