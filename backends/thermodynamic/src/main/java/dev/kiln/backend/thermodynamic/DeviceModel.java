package dev.kiln.backend.thermodynamic;

/**
 * The simulated analog thermodynamic computer: its physical constants and its cost model.
 * Each constant names its source; where no source exists, it is marked an ASSUMPTION and the
 * backend says so in its answers.
 *
 * <p>The device is a network of coupled RC cells whose voltages x obey the overdamped
 * Langevin / Ornstein–Uhlenbeck equation dx = −(A·x − b)·dt + √(2κ₀)·dW with time measured in
 * the cell's time constant τ (Aifer et al., "Thermodynamic linear algebra", npj Unconv.
 * Comput. 2024, §2; Donatella et al., "Thermodynamic natural gradient descent", arXiv
 * 2405.13817, 2024, Eq. 15 and 22).
 *
 * @param tauSeconds        τ = RC. 1 kΩ × 1 nF = 1 µs, the values the TNGD paper's runtime
 *                          model uses (Donatella et al. 2024, §5 "runtime", as quoted in Kiln issue 7)
 * @param noise             κ₀, the noise variance in units of the programmed dynamic range.
 *                          ASSUMPTION: 1e-3; the TNGD paper found κ₀ < 0.01 made no visible
 *                          difference to training (§5)
 * @param bits              precision of the DACs that program A and b and of the ADC that reads
 *                          x. ASSUMPTION: 16 bits by default (commodity precision DACs/ADCs;
 *                          no published figure for this device). At 8 bits a 2D Poisson matrix
 *                          of 24² unknowns already quantises to an indefinite one (its off-diagonal
 *                          −1/4 rounds to −32/127), so 8 is offered as an option, not the default
 * @param linkBytesPerSecond host↔device bandwidth. ASSUMPTION: PCIe 4.0 ×16, 31.5 GB/s per
 *                          direction (PCI-SIG PCIe 4.0 base spec: 16 GT/s per lane, 128b/130b)
 * @param cellWattsLow      power per analog cell, low end. ASSUMPTION: 10 µW (an integrated
 *                          low-power op-amp integrator); no published figure
 * @param cellWattsHigh     power per analog cell, high end. ASSUMPTION: 1 mW (a discrete op-amp
 *                          cell like the PCB prototype of Melanson et al. 2023); no published figure
 * @param joulesPerConversionLow  DAC/ADC energy per converted value, low end. ASSUMPTION: 1 pJ
 * @param joulesPerConversionHigh DAC/ADC energy per converted value, high end. ASSUMPTION: 100 pJ
 */
public record DeviceModel(double tauSeconds, double noise, int bits, double linkBytesPerSecond,
                          double cellWattsLow, double cellWattsHigh,
                          double joulesPerConversionLow, double joulesPerConversionHigh) {

    /** Said beside every modelled energy figure: there is no published one. */
    public static final String ENERGY_ASSUMPTION = "no published energy figure for this device: the range assumes "
            + "10 µW–1 mW per analog cell and 1–100 pJ per DAC/ADC conversion (see DeviceModel)";

    public static DeviceModel defaults() {
        return new DeviceModel(1e-3 * 1e-3 /* 1 kΩ × 1 nF */, 1e-3, 16, 31.5e9, 10e-6, 1e-3, 1e-12, 100e-12);
    }

    public DeviceModel withNoise(double k) {
        return new DeviceModel(tauSeconds, k, bits, linkBytesPerSecond, cellWattsLow, cellWattsHigh, joulesPerConversionLow, joulesPerConversionHigh);
    }

    public DeviceModel withBits(int b) {
        return new DeviceModel(tauSeconds, noise, b, linkBytesPerSecond, cellWattsLow, cellWattsHigh, joulesPerConversionLow, joulesPerConversionHigh);
    }

    /** Seconds to move {@code values} numbers of {@link #bits} over the link. */
    public double transferSeconds(double values) {
        return values * bits / 8.0 / linkBytesPerSecond;
    }

    /** Modelled cost of one device run. */
    public Cost cost(int cells, double programmedValues, double analogTimeTau, double readValues) {
        double seconds = transferSeconds(programmedValues) + analogTimeTau * tauSeconds + transferSeconds(readValues);
        double analogSeconds = analogTimeTau * tauSeconds;
        double conversions = programmedValues + readValues;
        double low = cells * cellWattsLow * analogSeconds + conversions * joulesPerConversionLow;
        double high = cells * cellWattsHigh * analogSeconds + conversions * joulesPerConversionHigh;
        return new Cost(seconds, low, high);
    }

    /** Modelled hardware seconds and an assumption-labelled energy range (see {@link #ENERGY_ASSUMPTION}). */
    public record Cost(double seconds, double joulesLow, double joulesHigh) {
        public static final Cost ZERO = new Cost(0, 0, 0);

        public Cost plus(Cost o) { return new Cost(seconds + o.seconds, joulesLow + o.joulesLow, joulesHigh + o.joulesHigh); }
    }
}
