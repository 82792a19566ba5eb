// `nx run infra:scan-config`: the field's scanners (kube-score, trivy config) on our deployment files.
import { main } from './main';

process.exitCode = main(process.argv.slice(2), { cwd: process.cwd(), out: (l) => console.log(l), err: (l) => console.error(l) });
