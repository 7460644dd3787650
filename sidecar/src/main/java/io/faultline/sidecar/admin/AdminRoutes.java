package io.faultline.sidecar.admin;

import io.faultline.sidecar.engine.Engine;

/** Every endpoint of the admin API, in one place. */
final class AdminRoutes {
    private AdminRoutes() {
    }

    static Router build(Engine engine) {
        Router router = new Router();
        new NativeApi(engine).register(router);
        new StatsApi(engine).register(router);
        new RecordingsApi(engine).register(router);
        new ToxiproxyApi(engine).register(router);
        return router;
    }
}
