from motcua.core.text import fold, search_terms


def test_fold_removes_diacritics_case_and_maps_d_stroke():
    assert fold("Đăng ký khai sinh") == "dang ky khai sinh"
    assert fold("ĐĂNG KÝ KHAI SINH") == "dang ky khai sinh"
    assert fold("Chứng thực bản sao từ bản chính") == "chung thuc ban sao tu ban chinh"
    assert fold("Quyền sử dụng đất, tài sản gắn liền với đất") == "quyen su dung dat tai san gan lien voi dat"


def test_fold_keeps_dots_inside_codes_only():
    assert fold("Mã 1.001193.") == "ma 1.001193"
    assert fold("H15.50, ...") == "h15.50"


def test_search_terms_are_unique_and_capped():
    assert search_terms("đăng ký đăng KÝ") == ["dang", "ky"]
    assert len(search_terms(" ".join(f"w{i}" for i in range(40)))) == 12
    assert search_terms("!!! ...") == []
