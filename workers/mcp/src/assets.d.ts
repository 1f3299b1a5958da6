/** Binary files imported as Data modules (wrangler.mcp.toml's rules): their bytes. */
declare module "*.ico" {
  const bytes: ArrayBuffer;
  export default bytes;
}
