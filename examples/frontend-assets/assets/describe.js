export function describe(bundler) {
  return `Bundled by ${bundler} in the image's Node stage.`;
}
