package io.faultline.kube.testkit;

/** A short wait between two polls; an interrupt ends the wait and the test. */
final class Pause {
    private Pause() {
    }

    static void millis(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
