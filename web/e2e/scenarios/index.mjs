import apiKey from './api-key.mjs';
import configure from './configure.mjs';
import embed from './embed.mjs';
import layout from './layout.mjs';
import secret from './secret.mjs';
import seller from './seller.mjs';

export default [seller, configure, apiKey, secret, embed, layout];
