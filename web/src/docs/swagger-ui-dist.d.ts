// The part of swagger-ui-dist's bundle that /docs uses (the package ships no types).
declare module 'swagger-ui-dist/swagger-ui-bundle.js' {
  interface SwaggerUIOptions {
    url: string;
    domNode: Element;
    presets: unknown[];
    layout: string;
    validatorUrl: string | null;
    persistAuthorization: boolean;
    deepLinking: boolean;
  }
  interface SwaggerUIBundle {
    (options: SwaggerUIOptions): unknown;
    presets: { apis: unknown };
  }
  const SwaggerUIBundle: SwaggerUIBundle;
  export default SwaggerUIBundle;
}
