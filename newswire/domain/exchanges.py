"""Stock exchange codes a ticker (``EXCHANGE:SYMBOL``) may name, and the ad-hoc disclosure's header.

Sources: the operating MICs' common acronyms in ISO 10383 (the Market Identifier Code list kept by
SWIFT, https://www.iso20022.org/market-identifier-codes) and the prefixes the wire services use in
releases ("NYSE:", "NASDAQ:", "XETRA:", "TSE:" …). Both spellings are accepted where the two
differ (e.g. XETR and XETRA, XLON and LSE). Add a code here when a real exchange is missing.
"""

from __future__ import annotations

EXCHANGES = frozenset({
    # North America
    "NYSE", "NYSEAMERICAN", "AMEX", "NYSEARCA", "ARCA", "NASDAQ", "XNYS", "XNAS", "XASE", "CBOE", "BATS", "IEX",
    "OTC", "OTCQX", "OTCQB", "TSX", "TSXV", "XTSE", "XTSX", "CSE", "NEO", "BMV", "XMEX", "BIVA",
    # Europe
    "XETRA", "XETR", "FWB", "FRA", "XFRA", "ETR", "BER", "STU", "MUN", "HAM", "DUS", "GETTEX", "TRADEGATE",
    "LSE", "XLON", "AIM", "LON", "SIX", "XSWX", "SWX", "VIE", "XWBO", "WSE", "XWAR", "GPW", "PSE", "XPRA",
    "BUD", "XBUD", "MOEX", "MISX", "SPB", "BIST", "XIST", "ATHEX", "XATH", "BME", "XMAD", "MCE", "BIT", "XMIL",
    "MTA", "EURONEXT", "EPA", "XPAR", "EURONEXT PARIS", "AMS", "XAMS", "EBR", "XBRU", "ELI", "XLIS", "ISE",
    "XDUB", "EURONEXT DUBLIN", "OSL", "XOSL", "OSE", "EURONEXT OSLO", "EURONEXT MILAN", "EURONEXT AMSTERDAM",
    "EURONEXT BRUSSELS", "EURONEXT LISBON", "STO", "XSTO", "HEL", "XHEL", "CPH", "XCSE", "ICE", "XICE",
    "NASDAQ STOCKHOLM", "NASDAQ HELSINKI", "NASDAQ COPENHAGEN", "LUX", "XLUX", "BVB", "XBSE",
    # Asia and Pacific
    "TSE", "TYO", "XTKS", "JPX", "OSE", "NSE", "XNSE", "BSE", "XBOM", "HKEX", "HKG", "XHKG", "SEHK",
    "SSE", "XSHG", "SHA", "SZSE", "XSHE", "SHE", "BJSE", "KRX", "XKRX", "KOSPI", "KOSDAQ", "XKOS", "KONEX",
    "TWSE", "TPEX", "XTAI", "SGX", "XSES", "IDX", "XIDX", "SET", "XBKK", "MAI", "HOSE", "XSTC", "HNX", "XHNX",
    "UPCOM", "BURSA", "MYX", "XKLS", "PSE", "XPHS", "ASX", "XASX", "NZX", "XNZE", "DSE", "CSE", "PSX",
    # Middle East and Africa
    "TADAWUL", "XSAU", "ADX", "XADS", "DFM", "XDFM", "NASDAQ DUBAI", "QSE", "DSMD", "BHB", "XBAH", "BOURSA KUWAIT",
    "XKUW", "MSM", "XMUS", "TASE", "XTAE", "EGX", "XCAI", "JSE", "XJSE", "NGX", "XNSA", "CSE MOROCCO", "BVC",
    # South America
    "B3", "BVMF", "BOVESPA", "BCBA", "BYMA", "XBUE", "BVL", "XLIM", "BCS", "XSGO", "BVC", "XBOG",
})

ADHOC = "adhoc"
PRESS_RELEASE = "press_release"
TYPES = (PRESS_RELEASE, ADHOC)
ADHOC_HEADER = "Disclosure of inside information under Article 17 of Regulation (EU) No 596/2014"


def known(exchange: str) -> bool:
    return exchange.strip().upper() in EXCHANGES
