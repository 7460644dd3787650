package io.faultline.kube.testkit;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ExtensionContext.Namespace;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.platform.commons.support.AnnotationSupport;

import io.fabric8.kubernetes.client.KubernetesClient;

/** The extension behind {@link WithKubeApiServer}: starts, shares and stops the server; resolves parameters. */
public final class KubeApiServerExtension implements BeforeAllCallback, ParameterResolver {
    private static final Namespace STORE = Namespace.create(KubeApiServerExtension.class);
    private static final String SERVER = "server";

    @Override
    public void beforeAll(ExtensionContext context) {
        WithKubeApiServer settings = settings(context);
        KubeApiServer server = server(context, settings);
        if (settings.controllerManager()) {
            try {
                server.startControllerManager();
            } catch (KubeBinariesAbsentException e) {
                skip(context, e.getMessage());
            }
        }
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        Class<?> type = parameter.getParameter().getType();
        return type == KubeApiServer.class || type == KubernetesClient.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        KubeApiServer server = server(context, settings(context));
        Class<?> type = parameter.getParameter().getType();
        if (type == KubeApiServer.class) {
            return server;
        }
        if (type == KubernetesClient.class) {
            return server.adminClient();
        }
        throw new ParameterResolutionException("cannot resolve " + type);
    }

    private static WithKubeApiServer settings(ExtensionContext context) {
        Class<?> testClass = context.getRequiredTestClass();
        return AnnotationSupport.findAnnotation(testClass, WithKubeApiServer.class)
                .or(() -> context.getTestClass().flatMap(c -> enclosing(c)))
                .orElseThrow(() -> new IllegalStateException(testClass + " is not annotated @WithKubeApiServer"));
    }

    private static java.util.Optional<WithKubeApiServer> enclosing(Class<?> nested) {
        for (Class<?> c = nested.getEnclosingClass(); c != null; c = c.getEnclosingClass()) {
            var found = AnnotationSupport.findAnnotation(c, WithKubeApiServer.class);
            if (found.isPresent()) {
                return found;
            }
        }
        return java.util.Optional.empty();
    }

    private static KubeApiServer server(ExtensionContext context, WithKubeApiServer settings) {
        ExtensionContext owner = settings.scope() == WithKubeApiServer.Scope.SHARED ? context.getRoot()
                : classContext(context);
        Started started = owner.getStore(STORE).getOrComputeIfAbsent(SERVER, key -> Started.start(), Started.class);
        if (started.absentReason != null) {
            skip(context, started.absentReason);
        }
        return started.server;
    }

    private static void skip(ExtensionContext context, String why) {
        String reason = "no real Kubernetes control plane for " + context.getRequiredTestClass().getSimpleName() + ": "
                + why;
        System.out.println("[kube-testkit] SKIPPED " + reason);
        Assumptions.abort(reason);
    }

    private static ExtensionContext classContext(ExtensionContext context) {
        ExtensionContext c = context;
        while (c.getTestMethod().isPresent() && c.getParent().isPresent()) {
            c = c.getParent().get();
        }
        return c;
    }

    /** A started server, or why none could start; closed with the store that holds it. */
    private static final class Started implements ExtensionContext.Store.CloseableResource {
        private final KubeApiServer server;
        private final String absentReason;

        private Started(KubeApiServer server, String absentReason) {
            this.server = server;
            this.absentReason = absentReason;
        }

        static Started start() {
            try {
                KubeApiServer server = KubeApiServer.start();
                System.out.println("[kube-testkit] started " + server);
                return new Started(server, null);
            } catch (KubeBinariesAbsentException e) {
                return new Started(null, e.getMessage());
            }
        }

        @Override
        public void close() {
            if (server != null) {
                server.close();
            }
        }
    }
}
