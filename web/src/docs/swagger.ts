// The /docs page (docs/index.html): Swagger UI from npm's swagger-ui-dist,
// bundled by Vite with the dashboard, over the binary's /openapi.json.
// "Authorize" offers the document's OAuth2 password flow: Swagger UI posts
// the username and password as a form to /token and sends the token it gets
// with every "Try it out". The token lives in this page only (not
// persisted); the dashboard's own login is separate.
import SwaggerUIBundle from 'swagger-ui-dist/swagger-ui-bundle.js';
import 'swagger-ui-dist/swagger-ui.css';
import './docs.css';
import { completeNames } from './names';

const container = document.getElementById('swagger-ui');
if (container) {
  SwaggerUIBundle({
    url: '/openapi.json',
    domNode: container,
    presets: [SwaggerUIBundle.presets.apis],
    // The plain layout: no top bar with a field to load another document.
    layout: 'BaseLayout',
    // Swagger UI would otherwise ask validator.swagger.io for a badge: no
    // outside network, and the page's policy would refuse the image.
    validatorUrl: null,
    persistAuthorization: false,
    // Off: with deep links each operation's path is a link inside the
    // button that opens it, a control inside a control (WCAG 4.1.2).
    deepLinking: false,
  });
  completeNames(container);
}
