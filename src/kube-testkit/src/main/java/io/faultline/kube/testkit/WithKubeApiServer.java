package io.faultline.kube.testkit;

import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Gives a test class a real kube-apiserver: test methods, constructors and {@code @BeforeAll}/{@code @AfterAll}
 * methods may declare a {@link KubeApiServer} or a {@code KubernetesClient} (admin) parameter.
 *
 * <pre>{@code
 * @WithKubeApiServer
 * class MyTest {
 *     @Test
 *     void x(KubeApiServer server, KubernetesClient admin) { ... }
 * }
 * }</pre>
 *
 * With {@link Scope#SHARED} (the default) every class of the test JVM (a module's surefire run) uses the same server,
 * started by the first and stopped when the JVM's tests end: keep tests apart by namespace
 * ({@link KubeApiServer#createNamespace}) and make cluster-scoped changes idempotent. {@link Scope#CLASS} gives the
 * class a server of its own. When the binaries are absent and cannot be downloaded, the class is skipped and the
 * reason printed.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Inherited
@ExtendWith(KubeApiServerExtension.class)
public @interface WithKubeApiServer {
    Scope scope() default Scope.SHARED;

    /** Also run kube-controller-manager against the server (Deployments, ReplicaSets, GC, namespace deletion). */
    boolean controllerManager() default false;

    enum Scope {
        /** One server for every class of the test JVM. */
        SHARED,
        /** A server for this class alone, stopped after it. */
        CLASS
    }
}
