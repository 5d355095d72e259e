// juice's client build: the same inliner without web-resource-inliner (fetching linked CSS and images, which the
// renderer never does); the package ships types for its main entry only.
declare module 'juice/client.js' {
  import juice from 'juice';
  export default juice;
}
