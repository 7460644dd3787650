package io.faultline.kube.testkit;

/** The identity Kubernetes gives a ServiceAccount's requests. */
public final class ServiceAccounts {
    private ServiceAccounts() {
    }

    /** {@code system:serviceaccount:NS:NAME} */
    public static String username(String namespace, String name) {
        return "system:serviceaccount:" + namespace + ":" + name;
    }

    /** The groups every ServiceAccount's token carries (besides {@code system:authenticated}). */
    public static String[] groups(String namespace) {
        return new String[] {"system:serviceaccounts", "system:serviceaccounts:" + namespace};
    }
}
