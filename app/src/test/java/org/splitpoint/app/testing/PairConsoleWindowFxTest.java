package org.splitpoint.app.testing;

import org.splitpoint.app.nav.NavItem;

/** A {@link PoolWindowFxTest} at the demo pool's pair console: drives large enough for its pair, prod-pair shown. */
public abstract class PairConsoleWindowFxTest extends PoolWindowFxTest {

    @Override
    protected long driveSize() {
        return TestPools.PAIR_DRIVE_SIZE;
    }

    @Override
    protected String view() {
        return NavItem.pair("prod-pair");
    }
}
