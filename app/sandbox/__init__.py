"""The WeChat sandbox: WeChat's and WeChat Pay's wire protocols on loopback (DESIGN section 5)."""
