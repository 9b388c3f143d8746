import { it } from 'vitest';
import { makePair, advance, deliverAll, expectFailure, rawRecord } from './mitm.js';
import { fromHex } from '../../src/wire/bytes.js';
it('dbg', () => {
    const broken = makePair();
    const healthy = makePair();
    advance(broken, 1);
    advance(healthy, 1);
    console.log('healthy tap read', healthy.client.tap.read?.name, 'sent', healthy.server.tap.sent.map(p=>p.type), healthy.server.delivered, healthy.client.delivered);
    deliverAll(healthy);
});
