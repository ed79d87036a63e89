package dev.aigov.bench;

import java.lang.management.ManagementFactory;

/** CPU time used by this whole process (every thread): what the load generator itself costs. */
final class ProcessCpu {
    private ProcessCpu() {
    }

    /** Nanoseconds of CPU used so far, or -1 where the JVM cannot tell. */
    static long nanos() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            return os.getProcessCpuTime();
        }
        return -1;
    }
}
