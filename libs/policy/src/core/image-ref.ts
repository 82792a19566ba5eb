/** Tag of an image reference, null when it has none; the registry port (`host:5000/x`) is not a tag. */
export function imageTag(image: string): string | null {
  const lastSegment = image.slice(image.lastIndexOf('/') + 1);
  const colon = lastSegment.indexOf(':');
  return colon === -1 ? null : lastSegment.slice(colon + 1);
}
