package recon

import (
	"strconv"
	"strings"
)

// Money is an amount in integer minor units of its currency. It is never a float.
type Money struct {
	Minor    int64
	Currency string
}

// minorDigits lists the ISO 4217 currencies flexrecon knows (those in use,
// and a few withdrawn lately that older exports may still hold) with their
// minor digits. Funds codes and the 4-digit units of account (CLF, UYW) are
// left out: cards are not charged in them, and amounts keep at most 3.
var minorDigits = byDigits(map[int]string{
	0: "BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX VND VUV XAF XOF XPF",
	2: "AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BMD BND BOB BRL BSD BTN BWP BYN BZD " +
		"CAD CDF CHF CNY COP CRC CUP CVE CZK DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL GHS GIP GMD " +
		"GTQ GYD HKD HNL HRK HTG HUF IDR ILS INR IRR JMD KES KGS KHR KPW KYD KZT LAK LBP LKR LRD LSL " +
		"MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MYR MZN NAD NGN NIO NOK NPR NZD PAB PEN PGK " +
		"PHP PKR PLN QAR RON RSD RUB SAR SBD SCR SDG SEK SGD SHP SLE SLL SOS SRD SSP STN SVC SYP SZL " +
		"THB TJS TMT TOP TRY TTD TWD TZS UAH USD UYU UZS VED VES WST XCD XCG YER ZAR ZMW ZWG ZWL",
	3: "BHD IQD JOD KWD LYD OMR TND",
})

func byDigits(codes map[int]string) map[string]int {
	out := map[string]int{}
	for digits, list := range codes {
		for _, code := range strings.Fields(list) {
			out[code] = digits
		}
	}
	return out
}

// MinorDigits reports how many minor digits currency has, and whether it is known.
func MinorDigits(currency string) (int, bool) {
	d, ok := minorDigits[currency]
	return d, ok
}

// Currencies returns the known currency codes with their minor digits.
func Currencies() map[string]int {
	out := make(map[string]int, len(minorDigits))
	for c, d := range minorDigits {
		out[c] = d
	}
	return out
}

// String formats m as decimal major units followed by the currency ("19.99 USD").
func (m Money) String() string {
	return m.Decimal() + " " + m.Currency
}

// Decimal formats m as exact decimal major units without the currency
// ("19.99"). A currency it does not know has no known number of decimals,
// so its amount shows as the minor units given, never guessed into major units.
func (m Money) Decimal() string {
	digits, _ := MinorDigits(m.Currency)
	sign, minor := "", m.Minor
	if minor < 0 {
		sign, minor = "-", -minor
	}
	s := strconv.FormatInt(minor, 10)
	if digits == 0 {
		return sign + s
	}
	if len(s) <= digits {
		s = strings.Repeat("0", digits-len(s)+1) + s
	}
	return sign + s[:len(s)-digits] + "." + s[len(s)-digits:]
}
