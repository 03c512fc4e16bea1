//! Provincial programmes count their progress from the recorded facts.

use serde_json::json;

use crate::helpers::{TestApp, both_backends};
use crate::world::World;

both_backends!(the_wenzhou_plan_counts_double_high_schools_and_indicators);

async fn the_wenzhou_plan_counts_double_high_schools_and_indicators(app: TestApp) {
    let world = World::build(&app).await;
    let pa = world.bureau(&app);
    for (school, awarded) in [
        (world.school, "2021-09-01"),
        (world.sibling_school, "2023-03-01"),
    ] {
        let body = json!({"title_type_code": "double_high_school", "awarded_on": awarded});
        assert_eq!(pa.award_title(school, body).await.status, 201);
    }
    let plan = pa.add_programme(world.province, json!({"name": "23 double-high schools by 2023", "title_type_code": "double_high_school", "target_count": 23, "target_date": "2023-12-31"}))
        .await;
    assert_eq!(plan.status, 201, "{}", plan.text);
    let plan = plan.json();
    assert_eq!(plan["progress"], 2);
    assert_eq!(plan["percent"], 8);
    let trend: Vec<(i64, i64)> = plan["trend"]
        .as_array()
        .unwrap()
        .iter()
        .map(|y| (y["year"].as_i64().unwrap(), y["count"].as_i64().unwrap()))
        .collect();
    assert_eq!(trend.first(), Some(&(2019, 0)));
    assert!(
        trend.contains(&(2021, 1)) && trend.contains(&(2023, 2)),
        "{trend:?}"
    );

    // Only accepted figures count: the sibling's typed campus does not, the school's does.
    let typed = app
        .send(
            "PUT",
            &format!("/api/v1/schools/{}/status-data/2025", world.sibling_school),
            Some(&world.officer_of(&app, world.sibling_school).await),
            Some(json!({"figures": {"campus_area_m2": 90000}})),
        )
        .await;
    assert_eq!(typed.status, 201, "{}", typed.text);
    world
        .accept_year(
            &app,
            world.school,
            2025,
            json!({"students": 4200, "campus_area_m2": 150000, "library_books": 150000}),
        )
        .await;
    let indicator = pa.add_programme(world.province, json!({"name": "Campuses of 40,000 m² or more", "indicator": "campus_area_m2", "threshold": 40000, "target_count": 2, "target_date": "2026-12-31"}))
        .await
        .json();
    assert_eq!(indicator["progress"], 1);
    assert_eq!(indicator["percent"], 50);
    // A derived indicator is computed from the accepted figures: 150,000 / 4,200 ≈ 35.7.
    let books = pa.add_programme(world.province, json!({"name": "30 books per student", "indicator": "books_per_student", "threshold": 30, "target_count": 1, "target_date": "2026-12-31"}))
        .await
        .json();
    assert_eq!(books["progress"], 1, "{books}");

    for (body, field) in [
        (
            json!({"name": "x", "target_count": 1, "target_date": "2026-12-31"}),
            "title_type_code",
        ),
        (
            json!({"name": "x", "indicator": "happiness", "threshold": 1, "target_count": 1, "target_date": "2026-12-31"}),
            "indicator",
        ),
        (
            json!({"name": "x", "indicator": "students", "target_count": 1, "target_date": "2026-12-31"}),
            "threshold",
        ),
        (
            json!({"name": "x", "title_type_code": "double_high_school", "target_count": 0, "target_date": "2026-02-30"}),
            "target_date",
        ),
    ] {
        let reply = pa.add_programme(world.province, body.clone()).await;
        assert_eq!(reply.status, 422, "{body}");
        assert!(
            reply.json()["error"]["fields"][field].is_string(),
            "{field}: {}",
            reply.text
        );
    }
    let listed = world.viewer(&app).programmes(world.province).await.json();
    assert_eq!(
        listed.as_array().unwrap().len(),
        4,
        "schools of the province read their programmes (the world's own and these three)"
    );
    let foreign = pa.programmes(world.other_province).await;
    assert_eq!(foreign.status, 404);
}
