provider "oomnitza" {
  url = "https://example.oomnitza.com"
  # api_token from OOMNITZA_API_TOKEN; or username/password
  request_timeout = "30s"
  max_retries     = 5
}
