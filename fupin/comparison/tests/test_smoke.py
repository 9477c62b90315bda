from conftest import new_id

from fupin.comparison.models import Suspect


def test_death_record_raises_suspect(load, compare, make_household, regions):
    dead = new_id()
    household = make_household(regions["village_a1"], head_name="张三", head_id=dead)
    dataset = load("death", ["姓名", "身份证号", "死亡日期"], [["张三", dead.lower(), "2024/3/5"]])
    run = compare([dataset])
    assert run.status == "succeeded", run.message
    suspect = Suspect.objects.get()
    assert suspect.village_code == household.village_id
