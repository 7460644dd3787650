package io.faultline.operator.reconciler;

import java.util.List;

import io.faultline.operator.compiler.ResolvedSession;
import io.faultline.operator.schedule.ScheduleWindow;
import io.faultline.operator.status.SessionStatusAggregator.Verdict;

/**
 * The outcome of resolving one session: the verdict for its status, its schedule window (null when the spec is
 * invalid), the problems found, and what the compiler should use for it (the current spec, the last valid one when the
 * current spec has errors, or nothing).
 */
public record SessionResolution(Verdict verdict, ScheduleWindow window, List<String> problems, ResolvedSession effective) {
    public boolean valid() {
        return problems.isEmpty();
    }
}
